package io.smcontainers.launcher.distributed;

import static java.util.Objects.requireNonNull;

import io.smcontainers.launcher.error.LauncherException;
import io.smcontainers.launcher.error.LauncherException.Category;
import io.smcontainers.launcher.process.StopSignal;
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
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An MPI worker host (training contract §9.3, STT sequence with the fixes of quirks #13 and #14): waits (bounded)
 * until the master accepts SSH, appends its environment to {@code /etc/environment} so that ranks started over SSH
 * see it, starts {@code sshd}, then waits until the master's run is over. The run is over when the master's status
 * file {@code /tmp/done.<master>} appears, or when the master stops accepting SSH while no Open MPI daemon
 * ({@code orted}, or {@code prted} for Open MPI 5) runs here. Both are watched from the start, so a daemon too short-lived
 * to be seen cannot make the worker wait for one. A stop request ends every wait at once (exit 128 + the signal
 * number) and stops {@code sshd}.
 */
public final class MpiWorker {
    private static final Logger log = LoggerFactory.getLogger(MpiWorker.class);
    private static final List<String> DAEMONS = List.of("orted", "prted");

    /**
     * The waits, all bounded.
     *
     * @param masterWait how long the master may take to accept SSH
     * @param masterPoll how often to try SSH to the master meanwhile
     * @param daemonAppearWait how long the master's {@code mpirun} may take to start a daemon here, unless the run ends
     *     before (status file, master unreachable)
     * @param poll how often to look for the daemon and the status file
     * @param reachabilityEvery how often to test SSH to the master while no daemon runs here
     * @param statusWait the bound on the whole wait after {@code sshd} starts
     */
    public record Timings(
            Duration masterWait,
            Duration masterPoll,
            Duration daemonAppearWait,
            Duration poll,
            Duration reachabilityEvery,
            Duration statusWait) {
        public static Timings defaults() {
            return new Timings(
                    Duration.ofHours(1),
                    Duration.ofSeconds(1),
                    Duration.ofMinutes(20),
                    Duration.ofMillis(200),
                    Duration.ofSeconds(10),
                    Duration.ofDays(5));
        }
    }

    private final Timings timings;
    private final StopSignal stop;
    private final List<String> sshd;
    private final Path etcEnvironment;
    private final Path statusDir;

    public MpiWorker(Timings timings, StopSignal stop, List<String> sshd, Path etcEnvironment, Path statusDir) {
        this.timings = requireNonNull(timings, "timings is null");
        this.stop = requireNonNull(stop, "stop is null");
        this.sshd = List.copyOf(sshd);
        this.etcEnvironment = requireNonNull(etcEnvironment, "etcEnvironment is null");
        this.statusDir = requireNonNull(statusDir, "statusDir is null");
    }

    /** The production settings: {@code /usr/sbin/sshd -D}, {@code /etc/environment}, {@code /tmp}. */
    public static MpiWorker standard(StopSignal stop) {
        return new MpiWorker(Timings.defaults(), stop, Sshd.STANDARD, Paths.get("/etc/environment"), Paths.get("/tmp"));
    }

    /** Runs the worker's part; returns normally when the master's run is over. */
    public void run(String master, Map<String, String> environment) {
        log.info("Starting MPI run as worker node.");
        awaitMaster(master);
        appendEnvironment(environment);
        try (Sshd server = Sshd.start(sshd)) {
            awaitEnd(master);
            log.info("MPI process finished.");
        }
    }

    private void awaitMaster(String master) {
        long deadline = System.nanoTime() + timings.masterWait().toNanos();
        while (!Ssh.canConnect(master, stop)) {
            if (System.nanoTime() >= deadline) {
                throw new LauncherException(
                        Category.EXTERNAL,
                        1,
                        "The MPI master " + master + " did not accept SSH connections within "
                                + timings.masterWait().toSeconds()
                                + " s. Check that the master started and that sshd runs there");
            }
            Waits.pause(
                    stop, timings.masterPoll(), "waiting for the MPI master " + master + " to accept SSH connections");
        }
    }

    private void appendEnvironment(Map<String, String> environment) {
        StringBuilder lines = new StringBuilder();
        environment.forEach((k, v) -> lines.append(k).append('=').append(v).append('\n'));
        try {
            Files.writeString(
                    etcEnvironment,
                    lines,
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new LauncherException(
                    Category.PLATFORM, 1, "Cannot append the environment to " + etcEnvironment + ": " + e, e);
        }
    }

    /** Polls for the status file and the daemon; tests the master's reachability while no daemon runs. */
    private void awaitEnd(String master) {
        Path status = statusDir.resolve("done." + master);
        long start = System.nanoTime();
        long lastReachabilityTest = start;
        Optional<ProcessHandle> daemon = Optional.empty();
        boolean seen = false;
        log.info(
                "Waiting for the Open MPI daemon ({}) of the master's mpirun, or for {}",
                String.join(" or ", DAEMONS),
                status);
        while (true) {
            String what = seen
                    ? "waiting for the MPI master's run to end"
                    : "waiting for the Open MPI daemon of the master's mpirun";
            if (Files.exists(status)) {
                log.info("MPI training job status file found. Exit gracefully");
                return;
            }
            if (daemon.isEmpty() || !daemon.get().isAlive()) {
                if (daemon.isPresent()) {
                    log.info(
                            "Open MPI daemon (pid {}) exited; waiting for {}",
                            daemon.get().pid(),
                            status);
                }
                daemon = findDaemon();
                if (daemon.isPresent()) {
                    seen = true;
                    log.info(
                            "Open MPI daemon {} (pid {}) started; waiting for it to exit",
                            daemon.get().info().command().orElse("orted"),
                            daemon.get().pid());
                }
            }
            long now = System.nanoTime();
            if (daemon.isEmpty()) {
                if (now - lastReachabilityTest >= timings.reachabilityEvery().toNanos()) {
                    lastReachabilityTest = now;
                    if (!Ssh.canConnect(master, stop) && !Files.exists(status)) {
                        log.info(
                                "The MPI master {} is unreachable: its run is over. Status file not found. Exiting...",
                                master);
                        return;
                    }
                }
                if (!seen && now - start >= timings.daemonAppearWait().toNanos()) {
                    throw new LauncherException(
                            Category.EXTERNAL,
                            1,
                            "No Open MPI daemon (" + String.join(" or ", DAEMONS)
                                    + ") started on this worker within "
                                    + timings.daemonAppearWait().toSeconds()
                                    + " s and the master " + master
                                    + " neither finished nor stopped: its mpirun did not reach this host. "
                                    + "Check the master's log");
                }
            }
            if (now - start >= timings.statusWait().toNanos()) {
                log.info("Status file not found. Exiting...");
                return;
            }
            Waits.pause(stop, timings.poll(), what);
        }
    }

    static Optional<ProcessHandle> findDaemon() {
        try (Stream<ProcessHandle> all = ProcessHandle.allProcesses()) {
            return all.filter(p -> p.info()
                            .command()
                            .map(c ->
                                    DAEMONS.contains(Paths.get(c).getFileName().toString()))
                            .orElse(false))
                    .findFirst();
        }
    }
}
