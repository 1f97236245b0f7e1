package io.smcontainers.intermediate.sync;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * Uploads files by relative path. Requests for the same path are coalesced (only the newest content matters) and
 * serialised; different paths upload in parallel up to {@code maxConcurrentUploads}. Failed uploads are retried with
 * back-off; what still fails is remembered for the report. Files are read directly, never copied to a staging folder:
 * small ones (up to {@link #IN_MEMORY_LIMIT}) into memory, larger ones streamed (multipart above 8 MiB); a file that
 * changes while it is read is not recorded as uploaded, and its close event (or the final pass) uploads it again.
 */
final class Uploader {
    private static final Logger log = LoggerFactory.getLogger(Uploader.class);

    static final int IN_MEMORY_LIMIT = 1024 * 1024;
    private static final long BACKOFF_BASE_MILLIS = 200;
    private static final long BACKOFF_MAX_MILLIS = 5_000;
    private static final long SNAPSHOT_INTERVAL_MILLIS = 100;

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

        Trigger merge(Trigger other) {
            return other == null || ordinal() <= other.ordinal() ? this : other;
        }
    }

    /** Hook for the benchmark and tests: called after each successful upload. */
    interface Listener {
        Listener NONE = (rel, size) -> {};

        void uploaded(String relativePath, long size);
    }

    private static final class Entry {
        Trigger trigger;
        Trigger dirtyTrigger;
        boolean queued;
        boolean running;
        boolean waitingRetry;
        long retryToken;
        long submittedNanos;
        int failedAttempts;
        String lastError;
        CompletableFuture<?> inFlight;
    }

    private record OpenSnapshot(long takenNanos, Set<String> paths) {}

    private final SyncSettings settings;
    private final Path root;
    private final S3AsyncClient s3;
    private final OpenWriters openWriters;
    private final Listener listener;

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
    private final List<String> awaitingSnapshot = new ArrayList<>();
    private final Thread checker;
    private volatile boolean closed;
    private volatile OpenSnapshot writers;

    Uploader(SyncSettings settings, S3AsyncClient s3, OpenWriters openWriters, Listener listener) {
        this.settings = settings;
        this.root = settings.intermediateDir();
        this.s3 = s3;
        this.openWriters = openWriters;
        this.listener = listener;
        this.permits = new Semaphore(settings.maxConcurrentUploads());
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "smc-sync-retry"));
        this.dispatcher = daemon(this::dispatch, "smc-sync-dispatch");
        this.checker = daemon(this::snapshotLoop, "smc-sync-writers");
        dispatcher.start();
        checker.start();
    }

    static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
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
                e.queued = true;
                e.submittedNanos = System.nanoTime();
                ready.add(relativePath);
            } else if (e.running) {
                e.dirtyTrigger = trigger.merge(e.dirtyTrigger);
            } else if (e.waitingRetry) {
                // a newer version: run it now instead of waiting for the back-off
                e.waitingRetry = false;
                e.retryToken++;
                e.failedAttempts = 0;
                e.trigger = trigger.merge(e.trigger);
                e.queued = true;
                e.submittedNanos = System.nanoTime();
                ready.add(relativePath);
            } else {
                e.trigger = trigger.merge(e.trigger); // keeps the first submission time: see awaitSnapshot
            }
        }
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
                if (closed || e == null || !e.queued) {
                    permits.release();
                    continue;
                }
                e.queued = false;
                e.running = true;
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

    private void begin(String rel, Entry e, Trigger trigger, long submittedNanos) {
        Path file = root.resolve(rel);
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException gone) {
            log.debug("Skipped {}: it vanished before its upload", rel);
            done(rel, e, false);
            return;
        } catch (IOException io) {
            finish(rel, e, null, io);
            return;
        }
        if (!attributes.isRegularFile()) {
            log.debug("Skipped {}: not a regular file", rel);
            done(rel, e, false);
            return;
        }
        FileVersion version = FileVersion.of(attributes);
        if (trigger.skipIfUploaded && version.sameAs(uploaded.get(rel))) {
            done(rel, e, false);
            return;
        }
        if (trigger.checkOpen && openWriters.available()) {
            OpenSnapshot snapshot = writers;
            if (snapshot == null || snapshot.takenNanos() < submittedNanos) {
                awaitSnapshot(rel, e, trigger);
                return;
            }
            if (snapshot.paths().contains(file.toAbsolutePath().toString())) {
                log.debug("Deferred {}: open for writing; its close will upload it", rel);
                skippedOpen.put(rel, Boolean.TRUE);
                done(rel, e, false);
                return;
            }
        }
        AsyncRequestBody body;
        if (version.size() <= IN_MEMORY_LIMIT) {
            byte[] content;
            try {
                content = Files.readAllBytes(file);
                FileVersion after = FileVersion.read(file);
                if (content.length != version.size() || !after.sameAs(version)) {
                    changedWhileRead(rel, e);
                    return;
                }
            } catch (NoSuchFileException gone) {
                log.debug("Skipped {}: it vanished before its upload", rel);
                done(rel, e, false);
                return;
            } catch (IOException io) {
                finish(rel, e, null, io);
                return;
            }
            body = AsyncRequestBody.fromBytes(content);
        } else {
            body = AsyncRequestBody.fromFile(file);
        }
        PutObjectRequest.Builder request = PutObjectRequest.builder()
                .bucket(settings.bucket())
                .key(settings.keyFor(rel));
        if (version.size() <= IN_MEMORY_LIMIT) {
            request.contentLength(version.size());
        }
        CompletableFuture<?> future = s3.putObject(request.build(), body);
        synchronized (lock) {
            e.inFlight = future;
        }
        future.whenComplete((response, failure) -> {
            boolean streamed = version.size() > IN_MEMORY_LIMIT;
            if (streamed && !(unwrap(failure) instanceof CancellationException) && !unchanged(file, version)) {
                // a multipart upload of a file rewritten meanwhile fails (or stores a mix): upload the new version
                changedWhileRead(rel, e);
            } else {
                finish(rel, e, version, failure);
            }
        });
    }

    private static boolean unchanged(Path file, FileVersion version) {
        try {
            return FileVersion.read(file).sameAs(version);
        } catch (IOException gone) {
            return true; // deleted after a complete read: what was read was consistent
        }
    }

    private void changedWhileRead(String rel, Entry e) {
        log.debug("{} changed while it was read; uploading it again", rel);
        done(rel, e, false);
        submit(rel, Trigger.FOUND);
    }

    /**
     * Parks a path until the next snapshot of open writers. Snapshots cost a walk of /proc, so one serves every path
     * submitted before it, and they are taken at most every {@link #SNAPSHOT_INTERVAL_MILLIS}.
     */
    private void awaitSnapshot(String rel, Entry e, Trigger trigger) {
        permits.release();
        synchronized (lock) {
            e.running = false;
            e.queued = true;
            e.trigger = trigger.merge(e.trigger).merge(e.dirtyTrigger);
            e.dirtyTrigger = null;
            awaitingSnapshot.add(rel);
            lock.notifyAll();
        }
    }

    private void snapshotLoop() {
        long last = 0;
        while (!closed) {
            try {
                synchronized (lock) {
                    while (awaitingSnapshot.isEmpty() && !closed) {
                        lock.wait(1000);
                    }
                }
                long wait = TimeUnit.NANOSECONDS.toMillis(last + TimeUnit.MILLISECONDS.toNanos(
                        SNAPSHOT_INTERVAL_MILLIS) - System.nanoTime());
                if (last != 0 && wait > 0) {
                    Thread.sleep(wait);
                }
            } catch (InterruptedException e) {
                return;
            }
            long taken = System.nanoTime();
            writers = new OpenSnapshot(taken, openWriters.snapshot());
            last = taken;
            synchronized (lock) {
                ready.addAll(awaitingSnapshot);
                awaitingSnapshot.clear();
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
        Throwable cause = unwrap(failure);
        if (cause instanceof CancellationException || closed) {
            done(rel, e, false);
            return;
        }
        String reason = describe(cause);
        boolean retry = retryable(cause) && e.failedAttempts + 1 < settings.maxAttempts();
        synchronized (lock) {
            e.lastError = reason;
            e.failedAttempts++;
        }
        if (retry) {
            long delay = backoffMillis(e.failedAttempts);
            log.debug("Upload of {} failed (attempt {}), retrying in {} ms: {}", rel, e.failedAttempts, delay, reason);
            done(rel, e, true);
            scheduleRetry(rel, e, delay);
        } else {
            log.warn("Failed to upload {} to s3://{}/{} after {} attempt(s): {}", rel, settings.bucket(),
                    settings.keyFor(rel), e.failedAttempts, reason);
            failures.put(rel, reason + " (after " + e.failedAttempts + " attempt(s))");
            done(rel, e, false);
        }
    }

    private void scheduleRetry(String rel, Entry e, long delayMillis) {
        long token;
        synchronized (lock) {
            if (!e.waitingRetry) {
                return; // a newer version was queued meanwhile
            }
            token = ++e.retryToken;
        }
        timer.schedule(() -> {
            synchronized (lock) {
                if (closed || e.retryToken != token || !e.waitingRetry || entries.get(rel) != e) {
                    return;
                }
                e.waitingRetry = false;
                e.queued = true;
                e.trigger = Trigger.RETRY.merge(e.trigger);
                e.submittedNanos = System.nanoTime();
                ready.add(rel);
            }
        }, delayMillis, TimeUnit.MILLISECONDS);
    }

    private static long backoffMillis(int failedAttempts) {
        long ceiling = Math.min(BACKOFF_MAX_MILLIS, BACKOFF_BASE_MILLIS << Math.min(failedAttempts - 1, 10));
        return ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
    }

    /** Ends one run of a path: frees its slot, and requeues it when something newer arrived meanwhile. */
    private void done(String rel, Entry e, boolean retryScheduled) {
        permits.release();
        synchronized (lock) {
            e.running = false;
            e.inFlight = null;
            if (e.dirtyTrigger != null && !closed) {
                e.trigger = e.dirtyTrigger.merge(retryScheduled ? Trigger.RETRY : null);
                e.dirtyTrigger = null;
                e.retryToken++;
                e.waitingRetry = false;
                e.failedAttempts = 0;
                e.queued = true;
                e.submittedNanos = System.nanoTime();
                ready.add(rel);
            } else if (retryScheduled && !closed) {
                e.waitingRetry = true;
            } else {
                if (!retryScheduled) {
                    e.failedAttempts = 0;
                }
                entries.remove(rel);
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
                lost.put(pending.getKey(), e.lastError == null ? deadlineReason
                        : deadlineReason + "; last error: " + e.lastError);
                if (e.inFlight != null) {
                    inFlight.add(e.inFlight);
                }
            }
            entries.clear();
            lock.notifyAll();
        }
        inFlight.forEach(f -> f.cancel(true));
        for (String rel : skippedOpen.keySet()) {
            Path file = root.resolve(rel);
            try {
                if (!FileVersion.read(file).sameAs(uploaded.get(rel))) {
                    lost.putIfAbsent(rel, "still open for writing when the sync stopped; a file that is being "
                            + "written is never uploaded");
                }
            } catch (IOException gone) {
                // deleted meanwhile: nothing to upload
            }
        }
        timer.shutdownNow();
        dispatcher.interrupt();
        checker.interrupt();
        List<SyncReport.FailedFile> report = new ArrayList<>();
        lost.forEach((rel, reason) -> report.add(new SyncReport.FailedFile(rel, settings.keyFor(rel), reason)));
        report.sort(Comparator.comparing(SyncReport.FailedFile::relativePath));
        return report;
    }

    long uploads() {
        return uploads.get();
    }

    SyncStats stats() {
        int pending;
        synchronized (lock) {
            pending = entries.size();
        }
        return new SyncStats(uploads.get(), bytes.get(), failures.size(), pending);
    }

    long bytes() {
        return bytes.get();
    }

    static Throwable unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException
                || c instanceof UncheckedIOException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }

    static boolean retryable(Throwable cause) {
        if (cause instanceof SdkServiceException s) {
            int status = s.statusCode();
            return status >= 500 || status == 429 || status == 408 || s.isThrottlingException() || s.retryable()
                    || multipartMixUp(s);
        }
        if (cause instanceof AccessDeniedException) {
            return false;
        }
        return cause instanceof SdkClientException || cause instanceof IOException;
    }

    /**
     * Errors of a multipart upload that a fresh upload cures: a part that changed or went missing (the file was
     * rewritten meanwhile, or an abandoned upload of the same key was still sending parts).
     */
    private static boolean multipartMixUp(SdkServiceException s) {
        if (s instanceof software.amazon.awssdk.awscore.exception.AwsServiceException a && a.awsErrorDetails() != null) {
            String code = a.awsErrorDetails().errorCode();
            return "InvalidPart".equals(code) || "InvalidPartOrder".equals(code) || "NoSuchUpload".equals(code)
                    || "BadDigest".equals(code);
        }
        return false;
    }

    static String describe(Throwable cause) {
        if (cause instanceof SdkServiceException s) {
            String code = s instanceof software.amazon.awssdk.awscore.exception.AwsServiceException a
                    && a.awsErrorDetails() != null ? " " + a.awsErrorDetails().errorCode() : "";
            return "HTTP " + s.statusCode() + code + ": " + s.getMessage();
        }
        if (cause instanceof AccessDeniedException) {
            return "cannot read the file: permission denied";
        }
        if (cause instanceof IOException) {
            return "cannot read the file: " + cause;
        }
        return String.valueOf(cause);
    }
}
