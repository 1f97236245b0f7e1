package io.smcontainers.intermediate.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link IntermediateSync#stats()} and the threads' lower priority, on the real sync against S3Mock. */
@ExtendWith(S3MockExtension.class)
class SyncStatsIT {
    private static final Duration CEILING = Duration.ofSeconds(60);

    private SyncFixture job;

    @BeforeEach
    void setUp() throws Exception {
        job = new SyncFixture(S3MockExtension.endpoint());
    }

    @AfterEach
    void tearDown() {
        job.close();
    }

    @Test
    void statsCountUploadsWhileRunningAndMatchTheReportAfterTheStop() throws Exception {
        IntermediateSync sync = IntermediateSync.start(job.settings());
        assertEquals(new SyncStats(0, 0, 0, 0), sync.stats());
        job.write("a.txt", "12345");
        job.write("d/b.txt", "1234567890");
        SyncStats running = await(sync, s -> s.filesUploaded() == 2 && s.queued() == 0);
        assertEquals(new SyncStats(2, 15, 0, 0), running);
        SyncReport report = sync.stop(CEILING);
        assertTrue(report.complete(), report.summary());
        assertEquals(new SyncStats(report.uploads(), report.bytesUploaded(), 0, 0), sync.stats());
    }

    @Test
    void statsCountFilesThatFailedForGood() throws Exception {
        SyncSettings settings = job.settings();
        IntermediateSync sync = IntermediateSync.start(new SyncSettings(
                settings.intermediateDir(),
                "no-such-bucket-" + job.bucket,
                settings.keyPrefix(),
                settings.region(),
                settings.endpoint(),
                settings.clientEnvironment(),
                settings.maxConcurrentUploads(),
                1,
                settings.attemptTimeout(),
                settings.stopTimeout()));
        job.write("lost.txt", "x");
        SyncStats failed = await(sync, s -> s.failures() == 1 && s.queued() == 0);
        assertEquals(0, failed.filesUploaded());
        SyncReport report = sync.stop(CEILING);
        assertEquals(1, report.failures().size(), report.summary());
        assertEquals(1, sync.stats().failures());
    }

    @Test
    void theSyncsThreadsRunAtLowerCpuPriority() throws Exception {
        Path tasks = Path.of("/proc/self/task");
        assumeTrue(Files.isDirectory(tasks), "Linux /proc needed");
        int caller = BackgroundPriority.niceOf(BackgroundPriority.currentThreadId());
        Set<String> before = taskIds(tasks); // the fixture's own S3 client has threads too, started in setUp
        IntermediateSync sync = IntermediateSync.start(job.settings());
        job.write("a.txt", "a");
        await(sync, s -> s.filesUploaded() == 1);
        List<String> syncThreads = new ArrayList<>();
        List<String> normal = new ArrayList<>();
        try (DirectoryStream<Path> all = Files.newDirectoryStream(tasks)) {
            for (Path task : all) {
                if (before.contains(task.getFileName().toString())) {
                    continue;
                }
                String name;
                int nice;
                try {
                    name = Files.readString(task.resolve("comm")).strip();
                    nice = BackgroundPriority.niceOf(
                            Integer.parseInt(task.getFileName().toString()));
                } catch (IOException gone) {
                    continue;
                }
                if (name.startsWith("smc-sync") || name.startsWith("aws-java-sdk") || name.startsWith("sdk-async")) {
                    syncThreads.add(name + " nice " + nice);
                    if (nice < BackgroundPriority.NICE) {
                        normal.add(name + " nice " + nice);
                    }
                }
            }
        }
        sync.stop(CEILING);
        assertTrue(syncThreads.stream().anyMatch(t -> t.startsWith("aws-java-sdk-Ne")), "threads: " + syncThreads);
        assertTrue(syncThreads.stream().anyMatch(t -> t.startsWith("sdk-async")), "threads: " + syncThreads);
        assertTrue(normal.isEmpty(), "sync threads at normal priority: " + normal + " of " + syncThreads);
        assertEquals(
                caller,
                BackgroundPriority.niceOf(BackgroundPriority.currentThreadId()),
                "the caller's thread keeps its priority");
    }

    private static Set<String> taskIds(Path tasks) throws IOException {
        try (Stream<Path> all = Files.list(tasks)) {
            return all.map(t -> t.getFileName().toString()).collect(Collectors.toSet());
        }
    }

    private static SyncStats await(IntermediateSync sync, Predicate<SyncStats> condition) throws InterruptedException {
        long deadline = System.nanoTime() + CEILING.toNanos();
        SyncStats stats = sync.stats();
        while (!condition.test(stats)) {
            if (System.nanoTime() > deadline) {
                fail("stats never reached the expected state within " + CEILING + ": " + stats);
            }
            Thread.sleep(20);
            stats = sync.stats();
        }
        return stats;
    }
}
