package io.smcontainers.intermediate.sync;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides when each file is uploaded. Requests for the same path are coalesced (only the newest content matters) and
 * serialised; different paths upload in parallel up to {@code maxConcurrentUploads}. Each path moves through the
 * {@link Phase}s under one lock; the work is done by the {@link ContentReader}, {@link S3Put}, {@link RetryPolicy} and
 * {@link WriterSnapshots}. What still fails after its retries is remembered for the report.
 */
final class UploadScheduler {
    private static final Logger log = LoggerFactory.getLogger(UploadScheduler.class);

    /** Why a path was submitted; decides which checks run before its upload. */
    enum Trigger {
        /** Closed after writing or moved in: complete by definition, always uploaded. */
        CLOSED(false, false),
        /** A retry: the file may have been reopened meanwhile, so check for writers. */
        RETRY(true, false),
        /** Found by a walk: skip if a writer has it open, or if this version is already in S3. */
        FOUND(true, true);

        final boolean checkOpen;
        final boolean skipIfUploaded;

        Trigger(boolean checkOpen, boolean skipIfUploaded) {
            this.checkOpen = checkOpen;
            this.skipIfUploaded = skipIfUploaded;
        }

        /** The stronger of two reasons (a close beats a retry beats a walk); {@code other} may be null. */
        Trigger merge(Trigger other) {
            return other == null || ordinal() <= other.ordinal() ? this : other;
        }
    }

    /** Hook for the benchmark and tests: called after each successful upload. */
    interface Listener {
        Listener NONE = (rel, size) -> {};

        void uploaded(String relativePath, long size);
    }

    /**
     * Where a path is. A path with nothing left to do has no entry. Moves: (none) → QUEUED → RUNNING → (none);
     * RUNNING → AWAITING_WRITERS → QUEUED while a found file waits for a snapshot of open writers; RUNNING →
     * RUNNING_STALE when a newer version is submitted, which runs again (QUEUED) when the current run ends; RUNNING →
     * RETRY_WAIT → QUEUED after a failure worth retrying (at once when a newer version is submitted).
     */
    enum Phase {
        /** In the ready queue, waiting for an upload slot. */
        QUEUED,
        /** Found by a walk; waiting for a snapshot of open writers taken after its submission. */
        AWAITING_WRITERS,
        /** Being read or sent. */
        RUNNING,
        /** Being read or sent, and a newer version was submitted meanwhile: it runs again afterwards. */
        RUNNING_STALE,
        /** Failed; waiting out the back-off before the next attempt. */
        RETRY_WAIT
    }

    private static final class Entry {
        Phase phase;
        /** Why the next run happens (QUEUED, AWAITING_WRITERS, RUNNING_STALE); null otherwise. */
        Trigger trigger;

        long submittedNanos;
        int failedAttempts;
        String lastError;
        /** Invalidates a scheduled retry when the path is queued by other means meanwhile. */
        long retryToken;

        CompletableFuture<?> inFlight;
    }

    private final Path root;
    private final SyncSettings settings;
    private final S3Put put;
    private final RetryPolicy retryPolicy;
    private final Listener listener;
    private final WriterSnapshots writers;

    private final Object lock = new Object();
    private final Map<String, Entry> entries = new HashMap<>();
    private final Map<String, FileVersion> uploaded = new ConcurrentHashMap<>();
    private final Map<String, String> failures = new ConcurrentHashMap<>();
    private final Map<String, Boolean> skippedOpen = new ConcurrentHashMap<>();
    private final LinkedBlockingQueue<String> ready = new LinkedBlockingQueue<>();
    private final Semaphore permits;
    private final ScheduledExecutorService timer;
    private final Thread dispatcher;
    private final AtomicLong uploads = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private volatile boolean closed;

    UploadScheduler(SyncSettings settings, S3Put put, OpenWriters openWriters, Listener listener) {
        this.settings = requireNonNull(settings, "settings is null");
        this.root = settings.intermediateDir();
        this.put = requireNonNull(put, "put is null");
        this.retryPolicy = new RetryPolicy(settings.maxAttempts());
        this.listener = requireNonNull(listener, "listener is null");
        this.permits = new Semaphore(settings.maxConcurrentUploads());
        this.timer = Executors.newSingleThreadScheduledExecutor(BackgroundPriority.threadFactory("smc-sync-retry"));
        this.writers = new WriterSnapshots(openWriters, this::writersKnown);
        this.dispatcher = BackgroundPriority.daemon(this::dispatch, "smc-sync-dispatch");
        dispatcher.start();
    }

    /** Asks for {@code relativePath} ("/"-separated, relative to the intermediate folder) to be uploaded. */
    void submit(String relativePath, Trigger trigger) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            Entry e = entries.get(relativePath);
            if (e == null) {
                e = new Entry();
                entries.put(relativePath, e);
                e.trigger = trigger;
                queue(relativePath, e);
                return;
            }
            switch (e.phase) {
                case QUEUED, AWAITING_WRITERS, RUNNING_STALE ->
                    e.trigger = trigger.merge(e.trigger); // keeps the first submission time: see WriterSnapshots
                case RUNNING -> {
                    e.phase = Phase.RUNNING_STALE;
                    e.trigger = trigger;
                }
                case RETRY_WAIT -> {
                    // a newer version: run it now instead of waiting for the back-off
                    e.failedAttempts = 0;
                    e.trigger = trigger.merge(e.trigger);
                    queue(relativePath, e);
                }
            }
        }
    }

    /** Under the lock: into the ready queue as a fresh submission. */
    private void queue(String rel, Entry e) {
        e.phase = Phase.QUEUED;
        e.retryToken++;
        e.submittedNanos = System.nanoTime();
        ready.add(rel);
    }

    private void dispatch() {
        while (!closed) {
            String rel;
            try {
                rel = ready.poll(250, TimeUnit.MILLISECONDS);
                if (rel == null) {
                    continue;
                }
                permits.acquire();
            } catch (InterruptedException e) {
                return;
            }
            Entry e;
            Trigger trigger;
            long submitted;
            synchronized (lock) {
                e = entries.get(rel);
                if (closed || e == null || e.phase != Phase.QUEUED) {
                    permits.release();
                    continue;
                }
                e.phase = Phase.RUNNING;
                trigger = e.trigger;
                e.trigger = null;
                submitted = e.submittedNanos;
            }
            try {
                begin(rel, e, trigger, submitted);
            } catch (RuntimeException | Error t) {
                finish(rel, e, null, t);
            }
        }
    }

    /** One run of a path: look, check for writers, read, send. Every way out ends the run or hands it on. */
    private void begin(String rel, Entry e, Trigger trigger, long submittedNanos) {
        Path file = root.resolve(rel);
        ContentReader.Read found = ContentReader.inspect(file);
        if (!(found instanceof ContentReader.Found f)) {
            notRead(rel, e, found);
            return;
        }
        FileVersion version = f.version();
        if (trigger.skipIfUploaded && version.sameAs(uploaded.get(rel))) {
            done(rel, e, false);
            return;
        }
        if (trigger.checkOpen) {
            switch (writers.check(file, submittedNanos)) {
                case AWAIT_SNAPSHOT -> {
                    awaitWriters(rel, e, trigger);
                    return;
                }
                case OPEN -> {
                    log.debug("Deferred {}: open for writing; its close will upload it", rel);
                    skippedOpen.put(rel, Boolean.TRUE);
                    done(rel, e, false);
                    return;
                }
                case NOT_OPEN -> {
                    // go on
                }
            }
        }
        ContentReader.Read read = ContentReader.read(file, version);
        if (!(read instanceof ContentReader.Content content)) {
            notRead(rel, e, read);
            return;
        }
        CompletableFuture<?> future = put.put(rel, content);
        synchronized (lock) {
            e.inFlight = future;
        }
        future.whenComplete((response, failure) -> {
            if (content.streamed()
                    && !(RetryPolicy.unwrap(failure) instanceof CancellationException)
                    && !ContentReader.unchanged(file, version)) {
                // a multipart upload of a file rewritten meanwhile fails (or stores a mix): upload the new version
                changedWhileRead(rel, e);
            } else {
                finish(rel, e, version, failure);
            }
        });
    }

    /** Ends a run whose file could not be read as it was. */
    private void notRead(String rel, Entry e, ContentReader.Read read) {
        if (read instanceof ContentReader.Unreadable unreadable) {
            finish(rel, e, null, unreadable.cause());
        } else if (read instanceof ContentReader.ChangedWhileRead) {
            changedWhileRead(rel, e);
        } else if (read instanceof ContentReader.NotRegular) {
            log.debug("Skipped {}: not a regular file", rel);
            done(rel, e, false);
        } else {
            log.debug("Skipped {}: it vanished before its upload", rel);
            done(rel, e, false);
        }
    }

    private void changedWhileRead(String rel, Entry e) {
        log.debug("{} changed while it was read; uploading it again", rel);
        done(rel, e, false);
        submit(rel, Trigger.FOUND);
    }

    /** Parks a running path until the next snapshot of open writers; its slot is free meanwhile. */
    private void awaitWriters(String rel, Entry e, Trigger trigger) {
        permits.release();
        synchronized (lock) {
            e.phase = Phase.AWAITING_WRITERS;
            e.trigger = trigger.merge(e.trigger);
            writers.awaitNext(rel);
            lock.notifyAll();
        }
    }

    /** A snapshot of open writers was taken: the parked paths go back to the ready queue. */
    private void writersKnown(List<String> parked) {
        synchronized (lock) {
            for (String rel : parked) {
                Entry e = entries.get(rel);
                if (!closed && e != null && e.phase == Phase.AWAITING_WRITERS) {
                    e.phase = Phase.QUEUED;
                    ready.add(rel);
                }
            }
        }
    }

    private void finish(String rel, Entry e, FileVersion version, Throwable failure) {
        if (failure == null) {
            uploaded.put(rel, version);
            failures.remove(rel);
            skippedOpen.remove(rel);
            uploads.incrementAndGet();
            bytes.addAndGet(version.size());
            log.debug("Uploaded {} ({} bytes)", rel, version.size());
            listener.uploaded(rel, version.size());
            done(rel, e, false);
            return;
        }
        Throwable cause = RetryPolicy.unwrap(failure);
        if (cause instanceof CancellationException || closed) {
            done(rel, e, false);
            return;
        }
        String reason = RetryPolicy.describe(cause);
        int attempts;
        synchronized (lock) {
            e.lastError = reason;
            attempts = ++e.failedAttempts;
        }
        if (retryPolicy.retries(cause, attempts)) {
            long delay = retryPolicy.backoffMillis(attempts);
            log.debug("Upload of {} failed (attempt {}), retrying in {} ms: {}", rel, attempts, delay, reason);
            done(rel, e, true);
            scheduleRetry(rel, e, delay);
        } else {
            log.warn(
                    "Failed to upload {} to s3://{}/{} after {} attempt(s): {}",
                    rel,
                    settings.bucket(),
                    settings.keyFor(rel),
                    attempts,
                    reason);
            failures.put(rel, reason + " (after " + attempts + " attempt(s))");
            done(rel, e, false);
        }
    }

    private void scheduleRetry(String rel, Entry e, long delayMillis) {
        long token;
        synchronized (lock) {
            if (e.phase != Phase.RETRY_WAIT) {
                return; // a newer version was queued meanwhile
            }
            token = e.retryToken;
        }
        timer.schedule(
                () -> {
                    synchronized (lock) {
                        if (closed || e.retryToken != token || e.phase != Phase.RETRY_WAIT || entries.get(rel) != e) {
                            return;
                        }
                        e.trigger = Trigger.RETRY;
                        queue(rel, e);
                    }
                },
                delayMillis,
                TimeUnit.MILLISECONDS);
    }

    /** Ends one run of a path: frees its slot; runs it again when a newer version arrived meanwhile. */
    private void done(String rel, Entry e, boolean retryScheduled) {
        permits.release();
        synchronized (lock) {
            e.inFlight = null;
            if (closed) {
                entries.remove(rel, e);
            } else if (e.phase == Phase.RUNNING_STALE) {
                e.trigger = e.trigger.merge(retryScheduled ? Trigger.RETRY : null);
                e.failedAttempts = 0;
                queue(rel, e);
            } else if (retryScheduled) {
                e.phase = Phase.RETRY_WAIT;
            } else {
                entries.remove(rel, e);
            }
            lock.notifyAll();
        }
    }

    /** Waits until nothing is queued, running or waiting for a retry, or the deadline passes; true when idle. */
    boolean awaitIdle(long deadlineNanos) throws InterruptedException {
        synchronized (lock) {
            while (!entries.isEmpty()) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
            return true;
        }
    }

    /** What was done so far; callable at any time, also after {@link #close}. */
    SyncStats stats() {
        int pending;
        synchronized (lock) {
            pending = entries.size();
        }
        return new SyncStats(uploads.get(), bytes.get(), failures.size(), pending);
    }

    /**
     * Stops: cancels what is still in flight and returns every file whose latest version is not in S3, with the
     * reason, sorted by path.
     */
    List<SyncReport.FailedFile> close(String deadlineReason) {
        Map<String, String> lost = new HashMap<>(failures);
        List<CompletableFuture<?>> inFlight = new ArrayList<>();
        synchronized (lock) {
            closed = true;
            for (Map.Entry<String, Entry> pending : entries.entrySet()) {
                Entry e = pending.getValue();
                lost.put(
                        pending.getKey(),
                        e.lastError == null ? deadlineReason : deadlineReason + "; last error: " + e.lastError);
                if (e.inFlight != null) {
                    inFlight.add(e.inFlight);
                }
            }
            entries.clear();
            lock.notifyAll();
        }
        inFlight.forEach(f -> f.cancel(true));
        for (String rel : skippedOpen.keySet()) {
            try {
                if (!FileVersion.read(root.resolve(rel)).sameAs(uploaded.get(rel))) {
                    lost.putIfAbsent(
                            rel,
                            "still open for writing when the sync stopped; a file that is being "
                                    + "written is never uploaded");
                }
            } catch (IOException gone) {
                // deleted meanwhile: nothing to upload
            }
        }
        timer.shutdownNow();
        dispatcher.interrupt();
        writers.close();
        List<SyncReport.FailedFile> report = new ArrayList<>();
        lost.forEach((rel, reason) -> report.add(new SyncReport.FailedFile(rel, settings.keyFor(rel), reason)));
        report.sort(Comparator.comparing(SyncReport.FailedFile::relativePath));
        return report;
    }

    long uploads() {
        return uploads.get();
    }

    long bytes() {
        return bytes.get();
    }
}
