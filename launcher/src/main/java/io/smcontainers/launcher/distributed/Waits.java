package io.smcontainers.launcher.distributed;

import io.smcontainers.launcher.error.LauncherException;
import io.smcontainers.launcher.error.LauncherException.Category;
import io.smcontainers.launcher.process.StopSignal;
import java.io.File;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pauses and short child commands ({@code ssh}) of the distributed waits; a stop request (SIGTERM, SIGINT) ends
 * each of them at once with {@link #stopped}, which the train command reports as 128 + the signal number.
 */
final class Waits {
    private static final Logger log = LoggerFactory.getLogger(Waits.class);
    private static final long PROCESS_POLL_MILLIS = 100;

    private Waits() {}

    /** Pauses for {@code duration}, or throws {@link #stopped} as soon as a stop is requested. */
    static void pause(StopSignal stop, Duration duration, String what) {
        boolean requested;
        try {
            requested = stop.await(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LauncherException(Category.PLATFORM, 1, "Interrupted while " + what);
        }
        if (requested) {
            throw stopped(stop, what);
        }
    }

    static void checkStop(StopSignal stop, String what) {
        if (stop.requested()) {
            throw stopped(stop, what);
        }
    }

    static LauncherException stopped(StopSignal stop, String what) {
        int signal = stop.signalNumber();
        return new LauncherException(
                Category.USER,
                128 + signal,
                "Training stopped: the training job was asked to stop (SIG" + (signal == 2 ? "INT" : "TERM")
                        + ") while " + what);
    }

    /**
     * Runs {@code argv} with stdin from {@code /dev/null}, for at most {@code limit}; returns whether it exited 0 (false
     * when it cannot start or runs too long, then it is killed). A stop request kills it and throws {@link #stopped}.
     */
    static boolean run(StopSignal stop, List<String> argv, Duration limit, boolean showOutput, String what) {
        checkStop(stop, what);
        ProcessBuilder builder = new ProcessBuilder(argv).redirectInput(new File("/dev/null"));
        if (showOutput) {
            builder.redirectOutput(ProcessBuilder.Redirect.INHERIT).redirectError(ProcessBuilder.Redirect.INHERIT);
        } else {
            builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        }
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            log.info("Cannot run {}: {}", argv.get(0), e.toString());
            return false;
        }
        long deadline = System.nanoTime() + limit.toNanos();
        try {
            while (!process.waitFor(PROCESS_POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                if (stop.requested()) {
                    kill(process);
                    throw stopped(stop, what);
                }
                if (System.nanoTime() >= deadline) {
                    log.info("{} did not finish within {} s; killed it", argv.get(0), limit.toSeconds());
                    kill(process);
                    return false;
                }
            }
            return process.exitValue() == 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill(process);
            throw new LauncherException(Category.PLATFORM, 1, "Interrupted while " + what);
        }
    }

    private static void kill(Process process) {
        process.destroyForcibly();
        try {
            process.waitFor(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
