package io.smcontainers.launcher.process;

/**
 * How a process ended.
 *
 * @param exitCode its exit status; 128 + n when signal n killed it
 * @param stderrTail the last lines of its stderr (bounded), empty when not captured
 * @param leftBehind processes of its group still alive after it exited, which were then stopped
 * @param stopRequested whether the launcher was asked to stop (SIGTERM/SIGINT) while it ran
 */
public record ProcessResult(int exitCode, String stderrTail, int leftBehind, boolean stopRequested) {
    public ProcessResult {
        stderrTail = stderrTail == null ? "" : stderrTail;
    }

    /** The signal that killed it, if the exit status says so (129..159). */
    public java.util.Optional<String> signalName() {
        return exitCode > 128 && exitCode < 160 ? java.util.Optional.of(Signals.name(exitCode - 128)) : java.util.Optional.empty();
    }
}
