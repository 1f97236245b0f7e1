package io.smcontainers.intermediate.sync;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Answers "is this file open for writing?" for files found by a walk, from shared snapshots of {@link OpenWriters}.
 * A snapshot costs a walk of {@code /proc}, so one serves every path submitted before it: a path asked about before
 * a new enough snapshot exists is parked ({@link #awaitNext}) and handed back to {@code release} once one is taken.
 * Snapshots are taken on one thread, at most every {@link #INTERVAL_MILLIS}.
 */
final class WriterSnapshots {
    static final long INTERVAL_MILLIS = 100;

    /** The answer for one file. */
    enum Check {
        /** No snapshot taken after the path's submission yet: park it with {@link #awaitNext}. */
        AWAIT_SNAPSHOT,
        /** Some process has it open for writing: its close event will upload it. */
        OPEN,
        /** Nobody writes it (or there is no {@code /proc} to tell). */
        NOT_OPEN
    }

    private record Snapshot(long takenNanos, Set<String> paths) {}

    private final OpenWriters openWriters;
    private final Consumer<List<String>> release;
    private final Object lock = new Object();
    private final List<String> waiting = new ArrayList<>();
    private final Thread thread;
    private volatile boolean closed;
    private volatile Snapshot latest;

    WriterSnapshots(OpenWriters openWriters, Consumer<List<String>> release) {
        this.openWriters = requireNonNull(openWriters, "openWriters is null");
        this.release = requireNonNull(release, "release is null");
        this.thread = BackgroundPriority.daemon(this::run, "smc-sync-writers");
        thread.start();
    }

    Check check(Path file, long submittedNanos) {
        if (!openWriters.available()) {
            return Check.NOT_OPEN;
        }
        Snapshot snapshot = latest;
        if (snapshot == null || snapshot.takenNanos() < submittedNanos) {
            return Check.AWAIT_SNAPSHOT;
        }
        return snapshot.paths().contains(file.toAbsolutePath().toString()) ? Check.OPEN : Check.NOT_OPEN;
    }

    /** Parks {@code relativePath} until the next snapshot; then it goes to {@code release}. */
    void awaitNext(String relativePath) {
        synchronized (lock) {
            waiting.add(relativePath);
            lock.notifyAll();
        }
    }

    void close() {
        closed = true;
        thread.interrupt();
    }

    private void run() {
        long last = 0;
        while (!closed) {
            try {
                synchronized (lock) {
                    while (waiting.isEmpty() && !closed) {
                        lock.wait(1000);
                    }
                }
                long wait = TimeUnit.NANOSECONDS.toMillis(
                        last + TimeUnit.MILLISECONDS.toNanos(INTERVAL_MILLIS) - System.nanoTime());
                if (last != 0 && wait > 0) {
                    Thread.sleep(wait);
                }
            } catch (InterruptedException e) {
                return;
            }
            long taken = System.nanoTime();
            latest = new Snapshot(taken, openWriters.snapshot());
            last = taken;
            List<String> parked;
            synchronized (lock) {
                parked = List.copyOf(waiting);
                waiting.clear();
            }
            release.accept(parked);
        }
    }
}
