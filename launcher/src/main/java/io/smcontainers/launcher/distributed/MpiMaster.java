package io.smcontainers.launcher.distributed;

import io.smcontainers.launcher.error.LauncherException;
import io.smcontainers.launcher.error.LauncherException.Category;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The MPI master's waits around {@code mpirun} (training contract §9.2 steps 2 and 4). */
public final class MpiMaster {
    private static final Logger log = LoggerFactory.getLogger(MpiMaster.class);

    private MpiMaster() {}

    /** Waits until every worker accepts SSH, polling every second, for at most {@code limit} in all. */
    public static void awaitWorkers(List<String> workers, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        for (String worker : workers) {
            while (!MpiWorker.ssh(worker)) {
                if (System.nanoTime() >= deadline) {
                    throw new LauncherException(Category.EXTERNAL, 1, "MPI worker " + worker + " did not accept SSH connections within "
                            + limit.toSeconds() + " s. Check that sshd runs on the workers and that root's key is authorized");
                }
                sleep(1000);
            }
            log.info("Worker {} available for communication", worker);
        }
    }

    /** Tells every worker that the run is over: {@code ssh <worker> touch /tmp/done.<master>}, up to 6 tries each. */
    public static void markDone(List<String> workers, String master) {
        for (String worker : workers) {
            for (int attempt = 0; attempt < 6; attempt++) {
                if (run(List.of("ssh", worker, "touch", "/tmp/done." + master))) {
                    break;
                }
                sleep(1000);
            }
        }
    }

    private static boolean run(List<String> argv) {
        try {
            Process p = new ProcessBuilder(argv).inheritIO().start();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
