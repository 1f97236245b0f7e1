package io.smcontainers.intermediate.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** S3 trouble between the sync and the server: retried until it works, or reported, never dropped. */
@ExtendWith(S3MockExtension.class)
class FaultInjectionIT {
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
    void resetsSlowDownsCutBodiesAndTimeoutsAreRetriedUntilEverythingIsIn() throws Exception {
        try (FaultProxy proxy = new FaultProxy(job.endpoint, new FaultProxy.Rates(0.10, 0.15, 0.05, 0.03, 4_000), 42)) {
            SyncSettings settings = job.settings()
                    .withEndpoint(proxy.endpoint())
                    .withAttemptTimeout(Duration.ofSeconds(2))
                    .withMaxAttempts(20);
            IntermediateSync sync = IntermediateSync.start(settings);
            Random random = new Random(7);
            for (int i = 0; i < 150; i++) {
                byte[] content = new byte[random.nextInt(64 * 1024)];
                random.nextBytes(content);
                Files.write(job.file("d" + (i % 7) + "/f" + i + ".bin"), content);
            }
            TestFiles.writeRandom(job.file("big/model.bin"), 40L * 1024 * 1024, random);
            SyncReport report = sync.stop(Duration.ofSeconds(180));
            assertTrue(report.complete(), report.summary());
            assertTrue(
                    proxy.faults() > 20,
                    "faults injected: drops " + proxy.drops + ", 503s " + proxy.slowDowns + ", cuts " + proxy.cuts
                            + ", stalls " + proxy.stalls);
            assertTrue(proxy.slowDowns.get() > 0 && proxy.drops.get() > 0, "both 503s and resets were injected");
        }
        job.assertMirrors();
    }

    @Test
    void filesThatCannotBeUploadedAreReportedWithTheReason() throws Exception {
        try (FaultProxy proxy = new FaultProxy(job.endpoint, new FaultProxy.Rates(0, 1.0, 0, 0, 0), 1)) {
            SyncSettings settings =
                    job.settings().withEndpoint(proxy.endpoint()).withMaxAttempts(2);
            IntermediateSync sync = IntermediateSync.start(settings);
            job.write("a.txt", "a");
            job.write("sub/b.txt", "b");
            long start = System.nanoTime();
            SyncReport report = sync.stop(Duration.ofSeconds(60));
            assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 60);
            assertEquals(0, report.uploads());
            assertEquals(2, report.failures().size(), report.summary());
            assertEquals("a.txt", report.failures().get(0).relativePath());
            assertEquals(job.key("sub/b.txt"), report.failures().get(1).key());
            assertTrue(report.failures().get(0).reason().contains("503"), report.summary());
            assertTrue(report.summary().contains("2 files were not uploaded"), report.summary());
        }
        assertFalse(job.exists(job.key("a.txt")));
    }

    @Test
    void stopReturnsWithinItsBoundWhenS3Hangs() throws Exception {
        try (FaultProxy proxy = new FaultProxy(job.endpoint, new FaultProxy.Rates(0, 0, 0, 1.0, 60_000), 1)) {
            SyncSettings settings =
                    job.settings().withEndpoint(proxy.endpoint()).withAttemptTimeout(Duration.ofSeconds(50));
            IntermediateSync sync = IntermediateSync.start(settings);
            job.write("stuck.txt", "never arrives");
            Thread.sleep(1000);
            long start = System.nanoTime();
            SyncReport report = sync.stop(Duration.ofSeconds(3));
            long tookMillis = Duration.ofNanos(System.nanoTime() - start).toMillis();
            assertTrue(tookMillis < 15_000, "stop took " + tookMillis + " ms");
            assertEquals(1, report.failures().size(), report.summary());
            assertTrue(report.failures().get(0).reason().contains("stop deadline"), report.summary());
        }
    }
}
