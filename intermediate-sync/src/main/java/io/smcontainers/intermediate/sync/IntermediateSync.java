package io.smcontainers.intermediate.sync;

import java.time.Duration;

/**
 * A running sync of the intermediate folder to S3. Start it before the user program runs; after the program ends
 * (success, failure or SIGTERM) call {@link #stop(Duration)}: it uploads what is pending, runs a final reconcile pass
 * over the folder and reports, within the bound. Its threads are daemons, so a forgotten handle never blocks JVM exit.
 */
public interface IntermediateSync extends AutoCloseable {

    /**
     * Starts watching and uploading. Never throws for file-system or S3 trouble: those are retried, logged and
     * reported by {@link #stop(Duration)}. Falls back to polling when inotify is unavailable.
     */
    static IntermediateSync start(SyncSettings settings) {
        return SyncEngine.start(settings, SyncEngine.Options.DEFAULT);
    }

    /**
     * Finishes: reads the remaining file events, reconciles the folder against what was uploaded, waits for the
     * uploads until {@code bound} has passed, cancels what is left and reports it. Idempotent: later calls return
     * the first report.
     */
    SyncReport stop(Duration bound);

    /**
     * The counters so far: files and bytes uploaded, files failed, files with work left. Read-only, cheap, safe from
     * any thread (for metrics); after {@link #stop(Duration)} the final figures.
     */
    SyncStats stats();

    /** {@link #stop(Duration)} with {@link SyncSettings#stopTimeout()}. */
    @Override
    void close();
}
