package io.smcontainers.launcher.process;

import jakarta.inject.Inject;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the processes {@link ProcessLauncher} runs for the job are doing (the requirements' pip install, then the entry
 * point, one after the other): whether one is running, how many were started, how the last one ended. Written by the
 * launcher, read by {@code train}'s metrics; thread-safe, nothing to stop.
 */
public final class ProcessActivity {
    /** Where the job's processes are. */
    public enum State {
        NOT_STARTED,
        RUNNING,
        EXITED
    }

    /**
     * One reading.
     *
     * @param state running while any runs; exited once the last one ended
     * @param started processes started so far
     * @param lastExitCode the exit code of the process that ended last (128 + n for signal n), empty before any ended
     */
    public record Snapshot(State state, long started, OptionalInt lastExitCode) {}

    private final AtomicInteger running = new AtomicInteger();
    private final AtomicLong started = new AtomicLong();
    /** The last exit code, or {@link Integer#MIN_VALUE} before any process ended. */
    private volatile int lastExitCode = Integer.MIN_VALUE;

    @Inject
    public ProcessActivity() {}

    void started() {
        started.incrementAndGet();
        running.incrementAndGet();
    }

    void exited(int exitCode) {
        lastExitCode = exitCode;
        running.decrementAndGet();
    }

    public Snapshot snapshot() {
        long count = started.get();
        int last = lastExitCode;
        State state = running.get() > 0 ? State.RUNNING : count > 0 ? State.EXITED : State.NOT_STARTED;
        return new Snapshot(state, count, last == Integer.MIN_VALUE ? OptionalInt.empty() : OptionalInt.of(last));
    }
}
