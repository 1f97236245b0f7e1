package io.smcontainers.intermediate.sync;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Large files: a 1 GiB sparse checkpoint and rewritten files above the multipart threshold. */
@ExtendWith(S3MockExtension.class)
class LargeFilesIT {
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
    void aOneGibSparseFileAndRewrittenMultipartFilesArriveWhole() throws Exception {
        IntermediateSync sync = IntermediateSync.start(job.settings());
        Path big = job.file("checkpoints/model-1g.bin");
        Random random = new Random(3);
        byte[] marker = new byte[1024 * 1024];
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(1024L * 1024 * 1024);
            for (long offset : new long[] {0, 300L << 20, (700L << 20) + 12345, (1024L << 20) - marker.length}) {
                random.nextBytes(marker);
                f.seek(offset);
                f.write(marker);
            }
        }
        // the reference's large_files test: two files above the multipart threshold, one rewritten
        TestFiles.writeRandom(job.file("large1.bin"), 17L * 1000 * 1000, random);
        TestFiles.writeRandom(job.file("large2.bin"), 17L * 1000 * 1000, random);
        TestFiles.writeRandom(job.file("large2.bin"), 17L * 1000 * 1000 + 5, random);
        SyncReport report = sync.stop(Duration.ofMinutes(4));
        assertTrue(report.complete(), report.summary());
        job.assertMirrors();
    }
}
