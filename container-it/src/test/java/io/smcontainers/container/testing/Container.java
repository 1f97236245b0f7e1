package io.smcontainers.container.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Runs the unpacked distribution the way {@code docker run IMAGE train|serve} does, with Linux namespaces and no Docker:
 * a network namespace of its own ({@code ip netns}, a veth pair to a second "client" namespace, addresses only inside the
 * two), and inside it {@code unshare}: a new PID namespace in which the launcher is PID 1 (the shell execs
 * {@code bin/train}, which execs the JVM), a new mount namespace with the job folder bind-mounted at {@code /opt/ml}, its
 * own {@code /proc} and an {@code /etc/hosts} naming {@code algo-1}, and a UTS namespace with hostname {@code algo-1}.
 * The environment is the image's, not the test's ({@code env -i}). {@link #stop} is {@code docker stop}: SIGTERM to PID 1,
 * SIGKILL after the grace. Needs root; every name is unique per run and everything is removed on {@link #close}.
 */
public final class Container implements AutoCloseable {
    public static final Path DIST =
            Path.of(System.getProperty("smc.dist", "target/opt/smcontainers")).toAbsolutePath();
    /** The container's address on the veth pair; the client namespace is {@link #CLIENT_ADDRESS}. */
    public static final String ADDRESS = "10.213.0.1";

    static final String CLIENT_ADDRESS = "10.213.0.2";

    private final String id;
    private final String containerNs;
    private final String clientNs;
    private final Path work;
    private Process process;
    private ProcessHandle init;
    private boolean killed;

    private Container(String id, Path work) {
        this.id = id;
        this.containerNs = "smc-c-" + id;
        this.clientNs = "smc-x-" + id;
        this.work = work;
    }

    /** Creates the two network namespaces and the veth pair between them; fails with what to do when not root. */
    public static Container create(Path work) throws IOException, InterruptedException {
        requireRoot();
        String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        Container container = new Container(id, work);
        String vethContainer = "smv" + id + "c";
        String vethClient = "smv" + id + "x";
        try {
            command("ip", "netns", "add", container.containerNs);
            command("ip", "netns", "add", container.clientNs);
            command("ip", "link", "add", vethContainer, "type", "veth", "peer", "name", vethClient);
            command("ip", "link", "set", vethContainer, "netns", container.containerNs);
            command("ip", "link", "set", vethClient, "netns", container.clientNs);
            command("ip", "-n", container.containerNs, "addr", "add", ADDRESS + "/30", "dev", vethContainer);
            command("ip", "-n", container.clientNs, "addr", "add", CLIENT_ADDRESS + "/30", "dev", vethClient);
            for (String[] link : new String[][] {
                {container.containerNs, vethContainer},
                {container.containerNs, "lo"},
                {container.clientNs, vethClient},
                {container.clientNs, "lo"}
            }) {
                command("ip", "-n", link[0], "link", "set", link[1], "up");
            }
        } catch (IOException | AssertionError e) {
            container.close();
            throw e;
        }
        return container;
    }

    /** Fails (never skips) when the tests cannot make namespaces: they need root and util-linux/iproute2. */
    public static void requireRoot() throws IOException {
        String uid = Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(line -> line.startsWith("Uid:"))
                .findFirst()
                .orElse("Uid: ?")
                .split("\\s+")[1];
        if (!uid.equals("0")) {
            fail(
                    "The container-contract tests need root (they make PID, mount, UTS and network namespaces with unshare and "
                            + "ip netns, and bind-mount /opt/ml); this JVM runs as uid " + uid
                            + ". Run the build as root, as CI does "
                            + "(.ci/run), or leave this module out: mvn -pl '!container-it' ...");
        }
        for (String tool : List.of("/usr/bin/unshare", "/usr/sbin/ip", "/usr/bin/nsenter")) {
            if (!Files.isExecutable(Path.of(tool))
                    && !Files.isExecutable(Path.of(tool.replace("/usr/sbin/", "/sbin/")))) {
                fail(tool + " is missing: install util-linux and iproute2 (.ci/run does)");
            }
        }
    }

    /**
     * {@code docker run}: starts {@code bin/<program>} of the distribution as PID 1 with the job folder at /opt/ml and
     * only {@code environment} (plus PATH, HOME, LANG and JAVA_HOME, as an image sets them).
     */
    public Container run(Path job, Map<String, String> environment, String program, String... args) throws IOException {
        Path mountPoint = Path.of("/opt/ml");
        if (!Files.isDirectory(mountPoint)) {
            Files.createDirectories(
                    mountPoint); // an empty mount point on the host; the job is bind-mounted over it inside
        }
        Path hosts = Files.writeString(work.resolve("hosts-" + id), "127.0.0.1 localhost\n" + ADDRESS + " algo-1\n");
        String setup =
                "set -e; mount --bind \"$1\" /opt/ml; mount --bind \"$2\" /etc/hosts; hostname algo-1; shift 2; exec \"$@\"";
        List<String> argv = new ArrayList<>(List.of(
                "ip",
                "netns",
                "exec",
                containerNs,
                "unshare",
                "--pid",
                "--fork",
                "--mount",
                "--uts",
                "--mount-proc",
                "--propagation",
                "private",
                "--",
                "/bin/sh",
                "-c",
                setup,
                "container-setup",
                job.toString(),
                hosts.toString(),
                "/usr/bin/env",
                "-i",
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "HOME=/root",
                "LANG=C.UTF-8",
                "JAVA_HOME=" + System.getProperty("java.home")));
        environment.forEach((key, value) -> argv.add(key + "=" + value));
        argv.add(DIST.resolve("bin").resolve(program).toString());
        argv.addAll(List.of(args));
        process = new ProcessBuilder(argv)
                .redirectOutput(work.resolve("stdout-" + id).toFile())
                .redirectError(work.resolve("stderr-" + id).toFile())
                .start();
        return this;
    }

    /** The host's view of the container's PID 1 (the child of {@code unshare --fork}), once it exists. */
    public ProcessHandle init() {
        if (init == null) {
            waitFor(
                    Duration.ofSeconds(20),
                    () -> process.toHandle().children().findAny().isPresent() || !process.isAlive(),
                    "unshare to fork PID 1");
            init = process.toHandle()
                    .children()
                    .findAny()
                    .orElseThrow(() -> new AssertionError("the container exited at once:\n" + stderr()));
        }
        return init;
    }

    /** PID 1's command line as the container sees it (/proc/1/cmdline, NULs as spaces). */
    public String initCommandLine() throws IOException {
        return Files.readString(Path.of("/proc", Long.toString(init().pid()), "cmdline"), StandardCharsets.UTF_8)
                .replace('\0', ' ');
    }

    /** The PID-namespace identity of the container ({@code pid:[inode]}), for finding its processes in the host's /proc. */
    public String pidNamespace() throws IOException {
        return Files.readSymbolicLink(Path.of("/proc", Long.toString(init().pid()), "ns", "pid"))
                .toString();
    }

    /** {@code docker stop -t grace}: SIGTERM to PID 1; SIGKILL when it is still running after the grace. True when it exited in time. */
    public boolean stop(Duration grace) throws InterruptedException {
        ProcessHandle pid1 = init();
        pid1.destroy();
        if (process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            return true;
        }
        killed = true;
        pid1.destroyForcibly();
        return false;
    }

    /** Waits for the container to exit; its exit code as {@code docker run} reports it (128+n when killed by signal n). */
    public int exitCode(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new AssertionError("the container did not exit within " + timeout + "; stderr:\n" + stderr());
        }
        if (process.exitValue() == 1 && killed && stderr().contains("unshare: ")) {
            // util-linux 2.38's unshare re-raises PID 1's killing signal on itself, which fails for SIGKILL: it exits 1
            // and says why; docker reports 128 + 9
            return 137;
        }
        return process.exitValue();
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    public String stdout() {
        return read(work.resolve("stdout-" + id));
    }

    public String stderr() {
        return read(work.resolve("stderr-" + id));
    }

    /** Processes of the host whose PID namespace is {@code namespace}, with their state letter (R, S, Z, ...). */
    public static List<String> processesIn(String namespace) throws IOException {
        List<String> found = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(Path.of("/proc"))) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.isEmpty() || !Character.isDigit(name.charAt(0))) {
                    continue;
                }
                try {
                    if (!Files.readSymbolicLink(entry.resolve("ns/pid"))
                            .toString()
                            .equals(namespace)) {
                        continue;
                    }
                    String stat = Files.readString(entry.resolve("stat"), StandardCharsets.ISO_8859_1);
                    int close = stat.lastIndexOf(')');
                    found.add(name + " " + stat.substring(stat.indexOf('(') + 1, close) + " " + stat.charAt(close + 2));
                } catch (IOException | RuntimeException gone) {
                    // exited while we looked
                }
            }
        }
        return found;
    }

    /** An HTTP request from the client namespace, through the veth pair, with curl: "status body". */
    public String curl(String... args) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(
                List.of("ip", "netns", "exec", clientNs, "curl", "-s", "--max-time", "60", "-w", "\n%{http_code}"));
        argv.addAll(List.of(args));
        Process curl = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String output = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!curl.waitFor(90, TimeUnit.SECONDS)) {
            curl.destroyForcibly();
        }
        int newline = output.lastIndexOf('\n');
        return output.substring(newline + 1) + " " + output.substring(0, Math.max(newline, 0));
    }

    /** Starts a request from the client namespace and returns at once; its output ("body\nstatus") goes to {@code out}. */
    public Process curlInBackground(Path out, String... args) throws IOException {
        List<String> argv = new ArrayList<>(
                List.of("ip", "netns", "exec", clientNs, "curl", "-s", "--max-time", "60", "-w", "\n%{http_code}"));
        argv.addAll(List.of(args));
        return new ProcessBuilder(argv)
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
    }

    /** Polls {@code condition} every 50 ms until it holds; fails with {@code what} after {@code timeout}. */
    public static void waitFor(Duration timeout, BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            try {
                TimeUnit.MILLISECONDS.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        // deleting a namespace deletes the veth end in it, and so the pair
        quietly("ip", "netns", "del", containerNs);
        quietly("ip", "netns", "del", clientNs);
    }

    private static void command(String... argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", argv) + " failed: " + output);
    }

    private static void quietly(String... argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        p.waitFor(10, TimeUnit.SECONDS);
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
