package io.smcontainers.intermediate.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * 10,000 small files written in a burst into directories created during the burst. Runs against S3Proxy: S3Mock
 * rewrites a per-bucket key index under a lock for every new key, which makes 10,000 new keys take minutes.
 */
@ExtendWith(S3ProxyExtension.class)
class BurstIT {
    private SyncFixture job;

    @BeforeEach
    void setUp() throws Exception {
        job = new SyncFixture(S3ProxyExtension.endpoint());
    }

    @AfterEach
    void tearDown() {
        job.close();
    }

    @Test
    void tenThousandSmallFilesWrittenInABurstAllArrive() throws Exception {
        IntermediateSync sync = IntermediateSync.start(job.settings());
        byte[] content = new byte[4096];
        for (int d = 0; d < 100; d++) {
            Path dir = Files.createDirectories(job.intermediate.resolve("epoch" + d / 10 + "/step" + d));
            for (int f = 0; f < 100; f++) {
                Arrays.fill(content, (byte) ('a' + (d + f) % 26));
                byte[] id = ("file " + d + "/" + f + "\n").getBytes(StandardCharsets.UTF_8);
                System.arraycopy(id, 0, content, 0, id.length);
                Files.write(dir.resolve("f" + f + ".txt"), content);
            }
        }
        SyncReport report = sync.stop(Duration.ofMinutes(10));
        assertTrue(report.complete(), report.summary());
        assertTrue(report.uploads() >= 10_000, report.summary());
        assertEquals(10_000, job.objects().size());
        job.assertMirrors();
    }
}
