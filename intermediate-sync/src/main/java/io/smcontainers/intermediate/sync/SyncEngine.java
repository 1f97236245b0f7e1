package io.smcontainers.intermediate.sync;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/** The running sync: S3 client, uploader and watcher, and the bounded stop. */
final class SyncEngine implements IntermediateSync {
    private static final Logger log = LoggerFactory.getLogger(SyncEngine.class);

    /** Knobs for tests and the benchmark. */
    record Options(boolean forcePolling, UploadScheduler.Listener listener) {
        static final Options DEFAULT = new Options(false, UploadScheduler.Listener.NONE);
    }

    private final SyncSettings settings;
    private final S3AsyncClient s3;
    private final UploadScheduler uploader;
    private final TreeWatcher watcher;
    private final long startNanos = System.nanoTime();
    private SyncReport report;

    private SyncEngine(SyncSettings settings, S3AsyncClient s3, UploadScheduler uploader, TreeWatcher watcher) {
        this.settings = settings;
        this.s3 = s3;
        this.uploader = uploader;
        this.watcher = watcher;
    }

    static SyncEngine start(SyncSettings settings, Options options) {
        Path root = settings.intermediateDir();
        sweepStaging(root.resolve(SyncSettings.STAGING_DIR_NAME));
        BackgroundPriority.lowerCompilerThreads();
        S3AsyncClient s3 = S3Clients.create(settings);
        UploadScheduler uploader =
                new UploadScheduler(settings, new S3Put(s3, settings), new OpenWriters(root), options.listener());
        Inotify inotify = null;
        if (!options.forcePolling()) {
            try {
                inotify = Inotify.open();
            } catch (IOException e) {
                log.warn("Cannot use inotify ({}); polling {} every second instead", e.getMessage(), root);
            }
        }
        TreeWatcher watcher = new TreeWatcher(root, uploader, inotify);
        watcher.start();
        log.info(
                "Intermediate output sync started: {} -> s3://{}/{} (region {}{})",
                root,
                settings.bucket(),
                settings.keyPrefix(),
                settings.region(),
                settings.endpoint() == null ? "" : ", endpoint " + settings.endpoint());
        return new SyncEngine(settings, s3, uploader, watcher);
    }

    @Override
    public synchronized SyncReport stop(Duration bound) {
        if (report != null) {
            return report;
        }
        long deadline = System.nanoTime() + Math.max(0, bound.toNanos());
        boolean interrupted = false;
        try {
            if (!watcher.finish(deadline)) {
                log.warn("The final pass over {} did not end within {}", settings.intermediateDir(), bound);
            }
            uploader.awaitIdle(deadline);
        } catch (InterruptedException e) {
            interrupted = true;
        }
        List<SyncReport.FailedFile> failures =
                uploader.close("not uploaded before the sync's stop deadline (" + bound.toMillis() + " ms)");
        s3.close();
        sweepStaging(settings.intermediateDir().resolve(SyncSettings.STAGING_DIR_NAME));
        report = new SyncReport(
                uploader.uploads(), uploader.bytes(), failures, Duration.ofNanos(System.nanoTime() - startNanos));
        if (report.complete()) {
            log.info(report.summary());
        } else {
            log.warn(report.summary());
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return report;
    }

    @Override
    public SyncStats stats() {
        return uploader.stats();
    }

    @Override
    public void close() {
        stop(settings.stopTimeout());
    }

    /** Empties the toolkit's staging folder (we never stage, but an earlier run may have left files there). */
    private static void sweepStaging(Path staging) {
        if (!Files.isDirectory(staging)) {
            return;
        }
        try {
            Files.walkFileTree(staging, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    if (!dir.equals(staging)) {
                        Files.deleteIfExists(dir);
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            log.debug("Could not sweep {}: {}", staging, e.toString());
        }
    }
}
