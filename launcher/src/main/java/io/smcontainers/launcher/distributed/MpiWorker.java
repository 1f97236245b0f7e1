package io.smcontainers.launcher.distributed;

import static java.util.Objects.requireNonNull;

import io.smcontainers.launcher.error.LauncherException;
import io.smcontainers.launcher.error.LauncherException.Category;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An MPI worker host (training contract §9.3, STT sequence with the fixes of quirks #13 and #14): waits (bounded)
 * until the master accepts SSH, appends its environment to {@code /etc/environment} so that ranks started over SSH
 * see it, starts {@code sshd}, waits (bounded) for the Open MPI daemon ({@code orted}, or {@code prted} for Open MPI 5)
 * to appear and to exit, then polls for the master's status file, checking every few polls that the master is
 * still reachable. Every wait has a limit and a clear error.
 */
public final class MpiWorker {
    private static final Logger log = LoggerFactory.getLogger(MpiWorker.class);
    private static final List<String> DAEMONS = List.of("orted", "prted");

    /** The waits, all bounded. */
    public record Timings(Duration masterWait, Duration daemonAppearWait, Duration afterDaemon, Duration statusPoll,
            int reachabilityEveryPolls, Duration statusWait) {
        public static Timings defaults() {
            return new Timings(Duration.ofHours(1), Duration.ofMinutes(20), Duration.ofSeconds(30), Duration.ofSeconds(30), 4,
                    Duration.ofHours(24 * 5));
        }
    }

    /** Whether an SSH session to a host can be opened. */
    public interface Reachability {
        boolean canConnect(String host);
    }

    private final Timings timings;
    private final Reachability reachability;
    private final List<String> sshd;
    private final Path etcEnvironment;
    private final Path statusDir;

    public MpiWorker(Timings timings, Reachability reachability, List<String> sshd, Path etcEnvironment, Path statusDir) {
        this.timings = requireNonNull(timings, "timings is null");
        this.reachability = requireNonNull(reachability, "reachability is null");
        this.sshd = List.copyOf(sshd);
        this.etcEnvironment = requireNonNull(etcEnvironment, "etcEnvironment is null");
        this.statusDir = requireNonNull(statusDir, "statusDir is null");
    }

    /** The production settings: {@code ssh -o BatchMode=yes}, {@code /usr/sbin/sshd -D}, {@code /etc/environment}, {@code /tmp}. */
    public static MpiWorker standard() {
        return new MpiWorker(Timings.defaults(), MpiWorker::ssh, List.of("/usr/sbin/sshd", "-D"), Paths.get("/etc/environment"),
                Paths.get("/tmp"));
    }

    /** Runs the worker's part; returns normally when the master's run is over. */
    public void run(String master, Map<String, String> environment) {
        log.info("Starting MPI run as worker node.");
        waitUntil(() -> reachability.canConnect(master), timings.masterWait(), Duration.ofSeconds(1),
                "The MPI master " + master + " did not accept SSH connections within " + timings.masterWait().toSeconds()
                        + " s. Check that the master started and that sshd runs there");
        appendEnvironment(environment);
        Process daemon = startSshd();
        try {
            Optional<ProcessHandle> orted = waitForDaemon();
            log.info("Open MPI daemon {} (pid {}) started; waiting for it to exit", orted.get().info().command().orElse("orted"), orted.get().pid());
            orted.get().onExit().join();
            sleep(timings.afterDaemon());
            waitForStatusFile(master);
            log.info("MPI process finished.");
        } finally {
            daemon.destroy();
        }
    }

    private void appendEnvironment(Map<String, String> environment) {
        StringBuilder lines = new StringBuilder();
        environment.forEach((k, v) -> lines.append(k).append('=').append(v).append('\n'));
        try {
            Files.writeString(etcEnvironment, lines, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new LauncherException(Category.PLATFORM, 1, "Cannot append the environment to " + etcEnvironment + ": " + e, e);
        }
    }

    private Process startSshd() {
        if (!Files.isExecutable(Paths.get(sshd.get(0)))) {
            throw new LauncherException(Category.PLATFORM, 1, sshdMissing(sshd.get(0)));
        }
        try {
            return new ProcessBuilder(sshd).inheritIO().start();
        } catch (IOException e) {
            throw new LauncherException(Category.PLATFORM, 1, "Cannot start " + sshd + ": " + e, e);
        }
    }

    public static String sshdMissing(String path) {
        return path + " was not found: MPI training needs an SSH server on every host. In the image: install "
                + "openssh-server, mkdir -p /var/run/sshd, relax pam_loginuid (sed -i 's/session\\s*required\\s*pam_loginuid.so/"
                + "session optional pam_loginuid.so/' /etc/pam.d/sshd), create a passwordless root key pair and add it to "
                + "/root/.ssh/authorized_keys, and set StrictHostKeyChecking no in /etc/ssh/ssh_config";
    }

    private Optional<ProcessHandle> waitForDaemon() {
        long deadline = System.nanoTime() + timings.daemonAppearWait().toNanos();
        while (System.nanoTime() < deadline) {
            Optional<ProcessHandle> found = findDaemon();
            if (found.isPresent()) {
                return found;
            }
            sleep(Duration.ofMillis(200));
        }
        throw new LauncherException(Category.EXTERNAL, 1, "No Open MPI daemon (" + String.join(" or ", DAEMONS)
                + ") started on this worker within " + timings.daemonAppearWait().toSeconds()
                + " s: the master's mpirun did not reach this host. Check the master's log");
    }

    static Optional<ProcessHandle> findDaemon() {
        try (Stream<ProcessHandle> all = ProcessHandle.allProcesses()) {
            return all.filter(p -> p.info().command().map(c -> DAEMONS.contains(Paths.get(c).getFileName().toString())).orElse(false))
                    .findFirst();
        }
    }

    private void waitForStatusFile(String master) {
        Path status = statusDir.resolve("done." + master);
        long deadline = System.nanoTime() + timings.statusWait().toNanos();
        int polls = 0;
        while (System.nanoTime() < deadline) {
            if (Files.exists(status)) {
                log.info("MPI training job status file found. Exit gracefully");
                return;
            }
            polls++;
            if (polls % timings.reachabilityEveryPolls() == 0 && !reachability.canConnect(master)) {
                log.info("Status file not found. Exiting...");
                return;
            }
            sleep(timings.statusPoll());
        }
        log.info("Status file not found. Exiting...");
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition, Duration limit, Duration every, String failure) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() >= deadline) {
                throw new LauncherException(Category.EXTERNAL, 1, failure);
            }
            sleep(every);
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LauncherException(Category.PLATFORM, 1, "Interrupted while waiting for the MPI master");
        }
    }

    /** {@code ssh -o BatchMode=yes -o StrictHostKeyChecking=no -o ConnectTimeout=10 <host> true} exits 0. */
    public static boolean ssh(String host) {
        try {
            Process p = new ProcessBuilder("ssh", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "ConnectTimeout=10",
                    host, "true").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            boolean ok = p.exitValue() == 0;
            log.info(ok ? "Can connect to host {}" : "Cannot connect to host {}", host);
            return ok;
        } catch (IOException e) {
            log.info("Cannot connect to host {}: {}", host, e.toString());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
