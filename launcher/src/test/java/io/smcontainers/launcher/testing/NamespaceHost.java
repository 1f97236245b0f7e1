package io.smcontainers.launcher.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One host of a multi-host test on this machine (root only): a network namespace made by the caller (addresses, a
 * veth end named {@code eth0}), and its own mount, UTS and PID namespaces. Inside, the host name is set, {@code /etc} and
 * {@code /opt} are copy-on-write overlays of this machine's (changes stay in the host), {@code /etc/hosts} is the given
 * text, {@code /opt/ml} is {@link #jobFolder()} bind-mounted, and {@code /tmp}, {@code /run}, {@code /root} are empty
 * tmpfs. PID 1 is a shell that starts nothing; {@link #close} kills it, which ends everything left in the host.
 *
 * <p>When the working folder lies under {@code /tmp}, {@code /run} or {@code /root} (a checkout in {@code /tmp} or in
 * root's home), the top folder holding it there ({@code /tmp/<name>}, the checkout and its build with it) stays visible
 * inside the host at the same path; the rest of those folders is empty there.
 */
public final class NamespaceHost implements AutoCloseable {
    private static final Duration READY_LIMIT = Duration.ofSeconds(20);
    private static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    private static final String INIT = String.join(
            "\n",
            "set -eu",
            "R=$1; NAME=$2; KEEP=${3:-}",
            "read -r outer _ < /proc/self/stat", // this shell's PID outside, before /proc shows the new PID namespace
            "mount -t proc proc /proc",
            "mount -t tmpfs -o mode=700 smc-host-scratch \"$R/scratch\"",
            "for d in etc opt; do",
            "  mkdir -p \"$R/scratch/$d.upper\" \"$R/scratch/$d.work\"",
            "  mount -t overlay overlay -o \"lowerdir=/$d,upperdir=$R/scratch/$d.upper,workdir=$R/scratch/$d.work\" \"/$d\"",
            "done",
            "mkdir -p /opt/ml",
            "mount --bind \"$R/opt-ml\" /opt/ml",
            "cat \"$R/hosts\" > /etc/hosts",
            "printf '%s\\n' \"$NAME\" > /etc/hostname",
            ": > /etc/environment",
            "hostname \"$NAME\"",
            // KEEP (the folder holding the working folder and the build, when it lies under /tmp, /run or /root) stays
            // visible through the empty tmpfs: set aside on a private mount of /mnt, then put back at its own path
            "if [ -n \"$KEEP\" ]; then",
            "  mount -t tmpfs -o mode=700 smc-host-keep /mnt && mkdir /mnt/keep && mount --rbind \"$KEEP\" /mnt/keep",
            "fi",
            "mount -t tmpfs -o mode=1777 smc-host-tmp /tmp",
            "mount -t tmpfs -o mode=755 smc-host-run /run",
            "mount -t tmpfs -o mode=700 smc-host-root /root",
            "if [ -n \"$KEEP\" ]; then",
            "  mkdir -p \"$KEEP\" && mount --rbind /mnt/keep \"$KEEP\" && umount -l /mnt",
            "fi",
            "mkfifo \"$R/hold\"",
            "exec 3<>\"$R/hold\"",
            "echo \"$outer\" > \"$R/ready.tmp\" && mv \"$R/ready.tmp\" \"$R/ready\"",
            "read -r -u 3 never", // blocks for the host's life; bash reaps the orphans it inherits meanwhile
            "");

    private final String hostname;
    private final Path dir;
    private final Process namespaces;
    private final long initPid;
    private final String pidNamespace;

    private NamespaceHost(String hostname, Path dir, Process namespaces, long initPid) throws IOException {
        this.hostname = hostname;
        this.dir = dir;
        this.namespaces = namespaces;
        this.initPid = initPid;
        this.pidNamespace = Files.readSymbolicLink(Path.of("/proc", Long.toString(initPid), "ns", "pid"))
                .toString();
    }

    /** Starts host {@code hostname} in the existing network namespace {@code netns}, working in {@code dir}. */
    public static NamespaceHost start(String hostname, String netns, Path dir, String etcHosts)
            throws IOException, InterruptedException {
        Files.createDirectories(dir.resolve("scratch"));
        Files.createDirectories(dir.resolve("opt-ml"));
        Files.writeString(dir.resolve("hosts"), etcHosts);
        Path init = dir.resolve("init.sh");
        Files.writeString(init, INIT);
        Process namespaces = new ProcessBuilder(
                        "ip",
                        "netns",
                        "exec",
                        netns,
                        "unshare",
                        "--mount",
                        "--uts",
                        "--pid",
                        "--fork",
                        "bash",
                        init.toString(),
                        dir.toString(),
                        hostname,
                        hiddenTop(dir).map(Path::toString).orElse(""))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("init.log").toFile())
                .start();
        Path ready = dir.resolve("ready");
        long deadline = System.nanoTime() + READY_LIMIT.toNanos();
        while (!Files.exists(ready)) {
            if (!namespaces.isAlive() || System.nanoTime() > deadline) {
                namespaces.destroyForcibly();
                throw new AssertionError(
                        "host " + hostname + " did not start: " + Files.readString(dir.resolve("init.log")));
            }
            Thread.sleep(20);
        }
        return new NamespaceHost(
                hostname,
                dir,
                namespaces,
                Long.parseLong(Files.readString(ready).strip()));
    }

    /** The top folder under {@code /tmp}, {@code /run} or {@code /root} that holds {@code dir}, when it lies there. */
    static Optional<Path> hiddenTop(Path dir) {
        Path absolute = dir.toAbsolutePath().normalize();
        for (String hidden : List.of("/tmp", "/run", "/root")) {
            Path top = Path.of(hidden);
            if (absolute.startsWith(top) && absolute.getNameCount() > 1) {
                return Optional.of(top.resolve(absolute.getName(1)));
            }
        }
        return Optional.empty();
    }

    public String hostname() {
        return hostname;
    }

    /** The host's {@code /opt/ml}, seen from outside. */
    public Path jobFolder() {
        return dir.resolve("opt-ml");
    }

    /** A folder outside the host for logs and the like. */
    public Path dir() {
        return dir;
    }

    /**
     * Starts {@code argv} inside the host in {@code /} with only {@code PATH}, {@code HOME=/root}, {@code LANG} and
     * {@code environment}, every signal at its default disposition; stdout and stderr go to {@code <logs>/stdout} and {@code <logs>/stderr}.
     */
    public Process start(Path logs, Map<String, String> environment, List<String> argv) throws IOException {
        // signals at their defaults, as in a fresh container, even when this JVM inherited ignored ones (a background
        // job's SIGINT): a JVM does not handle a signal that was ignored when it started
        List<String> command = new ArrayList<>(List.of(
                "nsenter",
                "--target",
                Long.toString(initPid),
                "--mount",
                "--uts",
                "--net",
                "--pid",
                "--wd=/",
                "--",
                "env",
                "--default-signal"));
        command.addAll(argv);
        Files.createDirectories(logs);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(logs.resolve("stdout").toFile())
                .redirectError(logs.resolve("stderr").toFile());
        builder.environment().clear();
        builder.environment().putAll(Map.of("PATH", PATH, "HOME", "/root", "LANG", "C.UTF-8"));
        builder.environment().putAll(environment);
        return builder.start();
    }

    /** Runs {@code bash -c script} inside the host; fails the test unless it exits 0 within 60 s. */
    public String exec(String script, String... args) throws IOException, InterruptedException {
        Path logs = Files.createTempDirectory(dir, "exec-");
        List<String> argv = new ArrayList<>(List.of("bash", "-c", script, "bash"));
        argv.addAll(List.of(args));
        Process process = start(logs, Map.of(), argv);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new AssertionError("on " + hostname + ", did not finish in 60 s: " + script);
        }
        String out = Files.readString(logs.resolve("stdout")) + Files.readString(logs.resolve("stderr"));
        if (process.exitValue() != 0) {
            throw new AssertionError(
                    "on " + hostname + ", exit " + process.exitValue() + " from: " + script + "\n" + out);
        }
        return out;
    }

    /** The process that {@code nsenter} started inside the host (its PID outside), once it exists. */
    public static ProcessHandle inner(Process nsenter) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            Optional<ProcessHandle> child = nsenter.toHandle().children().findFirst();
            if (child.isPresent()) {
                return child.get();
            }
            if (!nsenter.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError(
                        "nsenter started nothing (exit " + (nsenter.isAlive() ? "none" : nsenter.exitValue()) + ")");
            }
            Thread.sleep(10);
        }
    }

    /** Sends {@code SIG<signal>} ({@code TERM}, {@code INT}, ...) to {@code process}. */
    public static void signal(ProcessHandle process, String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                .inheritIO()
                .start();
        if (kill.waitFor() != 0) {
            throw new AssertionError("kill -" + signal + " " + process.pid() + " failed");
        }
    }

    /** What still runs in the host besides its PID 1 (zombies excluded), as {@code pid: command line}. */
    public List<String> leftovers() throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> all = Files.list(Path.of("/proc"))) {
            for (Path proc : all.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .toList()) {
                long pid = Long.parseLong(proc.getFileName().toString());
                try {
                    if (pid == initPid
                            || !Files.readSymbolicLink(proc.resolve("ns/pid"))
                                    .toString()
                                    .equals(pidNamespace)) {
                        continue;
                    }
                    String stat = Files.readString(proc.resolve("stat"));
                    char state = stat.charAt(stat.lastIndexOf(')') + 2);
                    if (state != 'Z' && state != 'X') {
                        byte[] cmdline = Files.readAllBytes(proc.resolve("cmdline"));
                        found.add(pid + ": "
                                + new String(cmdline, StandardCharsets.UTF_8)
                                        .replace('\0', ' ')
                                        .strip());
                    }
                } catch (IOException gone) {
                    // exited meanwhile
                }
            }
        }
        return found;
    }

    /** Kills PID 1 of the host, which ends everything in it, and waits for it. */
    @Override
    public void close() throws InterruptedException {
        ProcessHandle.of(initPid).ifPresent(ProcessHandle::destroyForcibly);
        if (!namespaces.waitFor(10, TimeUnit.SECONDS)) {
            namespaces.destroyForcibly();
        }
    }
}
