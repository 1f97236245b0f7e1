package io.smcontainers.intermediate.sync;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Without inotify (other OS, JNA unavailable) the sync polls; it still loses nothing. */
@ExtendWith(S3MockExtension.class)
class PollingFallbackIT {
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
    void pollingFindsNewRewrittenAndNestedFiles() throws Exception {
        IntermediateSync sync =
                SyncEngine.start(job.settings(), new SyncEngine.Options(true, UploadScheduler.Listener.NONE));
        job.write("a.txt", "first");
        Files.createDirectories(job.intermediate.resolve("x/y"));
        job.write("x/y/b.txt", "nested");
        job.awaitContent("x/y/b.txt", "nested", Duration.ofSeconds(30));
        job.write("a.txt", "second, longer");
        job.awaitContent("a.txt", "second, longer", Duration.ofSeconds(30));
        job.write("c.txt", "written just before the end");
        SyncReport report = sync.stop(Duration.ofSeconds(60));
        assertTrue(report.complete(), report.summary());
        job.assertMirrors();
    }
}
