package io.smcontainers.intermediate.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The sync against a real S3-protocol server (S3Mock on 127.0.0.1): what is written ends up in the bucket. */
@ExtendWith(S3MockExtension.class)
class IntermediateSyncIT {
    private static final Duration VISIBLE = Duration.ofSeconds(30);
    private static final Duration STOP = Duration.ofSeconds(60);

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
    void theModulesStarterRunsTheRealSync() throws Exception {
        // what the launcher's injector gives TrainCommand: binding starts nothing, starting uploads
        SyncStarter starter = com.google.inject.Guice.createInjector(
                        com.google.inject.Stage.PRODUCTION,
                        new IntermediateSyncModule(),
                        binder -> binder.requireExplicitBindings())
                .getInstance(SyncStarter.class);
        assertFalse(Files.exists(job.intermediate), "binding created nothing");
        IntermediateSync sync = starter.start(job.settings());
        job.write("from-module.txt", "module");
        job.awaitContent("from-module.txt", "module", VISIBLE);
        SyncReport report = sync.stop(STOP);
        assertTrue(report.complete(), report.summary());
        assertEquals(1, report.uploads(), report.summary());
    }

    @Test
    void singleFilesAndNestedTreesAreUploadedWhileTrainingRuns() throws Exception {
        IntermediateSync sync = IntermediateSync.start(job.settings());
        job.write("file1.txt", "one");
        job.awaitContent("file1.txt", "one", VISIBLE);
        Files.createDirectories(job.intermediate.resolve("dir1/dir2/dir3"));
        job.write("dir1/a.txt", "a");
        job.write("dir1/dir2/b.txt", "b");
        job.write("dir1/dir2/dir3/c.txt", "c");
        job.write("empty.txt", "");
        job.awaitContent("dir1/dir2/dir3/c.txt", "c", VISIBLE);
        SyncReport report = sync.stop(STOP);
        job.assertMirrors();
        assertTrue(report.complete(), report.summary());
        assertTrue(report.uploads() >= 5, report.summary());
        assertTrue(
                Files.isDirectory(job.intermediate.resolve(SyncSettings.STAGING_DIR_NAME)),
                "the staging folder stays, as the toolkit leaves it");
    }

    @Test
    void aRewrittenFileEndsWithItsLastContent() throws Exception {
        IntermediateSync sync = IntermediateSync.start(job.settings());
        for (int i = 1; i <= 4; i++) {
            job.write("dir3/file_to_modify1.txt", "content " + i);
        }
        job.awaitContent("dir3/file_to_modify1.txt", "content 4", VISIBLE);
        job.write("file5.txt", "written just before the end");
        SyncReport report = sync.stop(STOP);
        job.write("file6.txt", "written after the stop: never uploaded");
        assertFalse(job.exists(job.key("file6.txt")));
        Files.delete(job.intermediate.resolve("file6.txt"));
        job.assertMirrors();
        assertTrue(report.complete(), report.summary());
    }

    @Test
    void renamesAndMovedInFilesAndTreesAreUploadedUnderTheirFinalNames() throws Exception {
        Path outside = Files.createDirectory(job.base.resolve("outside"));
        IntermediateSync sync = IntermediateSync.start(job.settings());
        // atomic save: write a temporary name, rename into place
        job.write("model.tmp", "checkpoint-1");
        Files.move(
                job.intermediate.resolve("model.tmp"),
                job.intermediate.resolve("model.ckpt"),
                StandardCopyOption.ATOMIC_MOVE);
        // a file moved in from elsewhere
        Files.writeString(outside.resolve("moved-in.txt"), "from outside");
        Files.move(outside.resolve("moved-in.txt"), job.intermediate.resolve("moved-in.txt"));
        // a whole tree moved in
        Path tree = Files.createDirectories(outside.resolve("tree/a/b"));
        Files.writeString(outside.resolve("tree/top.txt"), "top");
        Files.writeString(tree.resolve("deep.txt"), "deep");
        Files.move(outside.resolve("tree"), job.intermediate.resolve("tree"));
        job.awaitContent("tree/a/b/deep.txt", "deep", VISIBLE);
        // a watched directory renamed, then written into under its new name
        Files.move(job.intermediate.resolve("tree/a"), job.intermediate.resolve("tree/renamed"));
        job.write("tree/renamed/b/after-rename.txt", "after");
        job.write("tree/renamed/new.txt", "new");
        job.awaitContent("tree/renamed/b/after-rename.txt", "after", VISIBLE);
        job.awaitContent("model.ckpt", "checkpoint-1", VISIBLE);
        SyncReport report = sync.stop(STOP);
        assertTrue(report.complete(), report.summary());
        // the temporary name and the tree's old path were uploaded too (they existed); S3 never deletes
        for (String stale : new String[] {"model.tmp", "tree/a/b/deep.txt"}) {
            if (job.exists(job.key(stale))) {
                job.client
                        .deleteObject(r -> r.bucket(job.bucket).key(job.key(stale)))
                        .join();
            }
        }
        job.assertMirrors();
    }

    @Test
    void directoriesCreatedAndFilledInABurstLoseNothing() throws Exception {
        IntermediateSync sync = IntermediateSync.start(job.settings());
        for (int d = 0; d < 20; d++) {
            Path dir = Files.createDirectories(job.intermediate.resolve("burst" + d + "/x/y/z"));
            for (int f = 0; f < 5; f++) {
                Files.writeString(dir.resolve("f" + f + ".txt"), "burst " + d + " file " + f);
                Files.writeString(dir.getParent().resolve("g" + f + ".txt"), "g " + d + " " + f);
            }
        }
        SyncReport report = sync.stop(STOP);
        assertTrue(report.complete(), report.summary());
        job.assertMirrors();
        assertEquals(200, job.objects().size());
    }

    @Test
    void aFileKeptOpenWhileWritingIsNeverUploadedHalfWritten() throws Exception {
        IntermediateSync sync = IntermediateSync.start(job.settings());
        // the directory appears while the file in it is being written: the walk finds an open file
        Path dir = Files.createDirectories(job.intermediate.resolve("logs"));
        byte[] chunk = new byte[64 * 1024];
        Arrays.fill(chunk, (byte) 'x');
        String key = job.key("logs/slow.bin");
        int chunks = 30;
        try (OutputStream out = Files.newOutputStream(dir.resolve("slow.bin"))) {
            for (int i = 0; i < chunks; i++) {
                out.write(chunk);
                out.flush();
                Thread.sleep(100);
                assertFalse(job.exists(key), "a half-written file was uploaded after chunk " + i);
                if (i == 10) {
                    // a sibling directory created meanwhile makes the sync walk the tree again
                    job.write("logs/other/side.txt", "side");
                }
            }
        }
        job.awaitContent("logs/other/side.txt", "side", VISIBLE);
        long deadline = System.nanoTime() + VISIBLE.toNanos();
        while (!job.exists(key) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(chunks * chunk.length, job.objects().get(key));
        SyncReport report = sync.stop(STOP);
        assertTrue(report.complete(), report.summary());
        job.assertMirrors();
    }

    @Test
    void linksVanishedFilesAndOddEntriesAreHandled() throws Exception {
        Path outside = Files.createDirectory(job.base.resolve("outside"));
        Files.writeString(outside.resolve("target.txt"), "linked content");
        IntermediateSync sync = IntermediateSync.start(job.settings());
        Files.createLink(job.intermediate.resolve("hard.txt"), outside.resolve("target.txt"));
        Files.createSymbolicLink(job.intermediate.resolve("soft.txt"), outside.resolve("target.txt"));
        Files.createSymbolicLink(job.intermediate.resolve("dangling.txt"), outside.resolve("missing.txt"));
        job.write("vanishing.txt", "gone soon");
        Files.delete(job.intermediate.resolve("vanishing.txt"));
        Process mkfifo =
                new ProcessBuilder("mkfifo", job.intermediate.resolve("pipe").toString()).start();
        assertEquals(0, mkfifo.waitFor());
        job.awaitContent("soft.txt", "linked content", VISIBLE);
        job.awaitContent("hard.txt", "linked content", VISIBLE);
        SyncReport report = sync.stop(STOP);
        assertTrue(report.complete(), report.summary());
        assertEquals(Long.valueOf("linked content".length()), job.objects().get(job.key("soft.txt")));
        // the dangling link and the pipe are not files: nothing to upload, nothing reported
        Files.delete(job.intermediate.resolve("dangling.txt"));
        Files.delete(job.intermediate.resolve("pipe"));
        job.assertMirrors();
        assertEquals(new String(job.get(job.key("hard.txt")), StandardCharsets.UTF_8), "linked content");
    }

    @Test
    void filesPresentAtStopAreReconciledAndStopIsIdempotent() throws Exception {
        IntermediateSync sync = IntermediateSync.start(job.settings());
        job.write("late/one.txt", "1");
        job.write("late/two.txt", "22");
        SyncReport first = sync.stop(STOP);
        SyncReport second = sync.stop(STOP);
        assertEquals(first, second);
        assertEquals(3, first.bytesUploaded(), first.summary());
        job.assertMirrors();
    }
}
