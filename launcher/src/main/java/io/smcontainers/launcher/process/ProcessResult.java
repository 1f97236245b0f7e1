package io.smcontainers.launcher.process;

import io.smcontainers.env.core.process.ProcessSignals;

/**
 * How a process ended.
 *
 * @param exitCode its exit status; 128 + n when signal n killed it
 * @param stderrTail the last lines of its stderr (bounded), empty when not captured
 * @param leftBehind processes of its session still alive after it exited, which were then stopped
 * @param stopSignal the signal number of the stop request (15 SIGTERM, 2 SIGINT) the launcher got while it ran, else 0
 */
public record ProcessResult(int exitCode, String stderrTail, int leftBehind, int stopSignal) {
    public ProcessResult {
        stderrTail = stderrTail == null ? "" : stderrTail;
    }

    /** With {@code stopRequested} meaning SIGTERM. */
    public ProcessResult(int exitCode, String stderrTail, int leftBehind, boolean stopRequested) {
        this(exitCode, stderrTail, leftBehind, stopRequested ? 15 : 0);
    }

    /** Whether the launcher was asked to stop (SIGTERM/SIGINT) while it ran. */
    public boolean stopRequested() {
        return stopSignal != 0;
    }

    /** The signal that killed it, if the exit status says so (129..159). */
    public java.util.Optional<String> signalName() {
        return exitCode > 128 && exitCode < 160
                ? java.util.Optional.of(ProcessSignals.name(exitCode - 128))
                : java.util.Optional.empty();
    }
}
