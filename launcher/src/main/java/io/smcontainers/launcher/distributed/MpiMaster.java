package io.smcontainers.launcher.distributed;

import io.smcontainers.launcher.error.LauncherException;
import io.smcontainers.launcher.error.LauncherException.Category;
import io.smcontainers.launcher.process.StopSignal;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MPI master's waits around {@code mpirun} (training contract §9.2 steps 2 and 4). A stop request ends every wait
 * at once (exit 128 + the signal number).
 */
public final class MpiMaster {
    private static final Logger log = LoggerFactory.getLogger(MpiMaster.class);
    private static final Duration POLL = Duration.ofSeconds(1);

    private MpiMaster() {}

    /** Waits until every worker accepts SSH, polling every second, for at most {@code limit} in all. */
    public static void awaitWorkers(List<String> workers, Duration limit, StopSignal stop) {
        long deadline = System.nanoTime() + limit.toNanos();
        for (String worker : workers) {
            while (!Ssh.canConnect(worker, stop)) {
                if (System.nanoTime() >= deadline) {
                    throw new LauncherException(
                            Category.EXTERNAL,
                            1,
                            "MPI worker " + worker + " did not accept SSH connections within " + limit.toSeconds()
                                    + " s. Check that sshd runs on the workers and that root's key is authorized");
                }
                Waits.pause(stop, POLL, "waiting for MPI worker " + worker + " to accept SSH connections");
            }
            log.info("Worker {} available for communication", worker);
        }
    }

    /** Tells every worker that the run is over: {@code ssh <worker> touch /tmp/done.<master>}, up to 6 tries each. */
    public static void markDone(List<String> workers, String master, StopSignal stop) {
        for (String worker : workers) {
            boolean told = false;
            for (int attempt = 0; attempt < 6 && !told; attempt++) {
                if (attempt > 0) {
                    Waits.pause(stop, POLL, "telling MPI worker " + worker + " that the run is over");
                }
                told = Ssh.run(worker, List.of("touch", "/tmp/done." + master), stop);
            }
            if (!told) {
                log.warn(
                        "Could not write /tmp/done.{} on worker {}: it ends when it finds this host unreachable",
                        master,
                        worker);
            }
        }
    }
}
