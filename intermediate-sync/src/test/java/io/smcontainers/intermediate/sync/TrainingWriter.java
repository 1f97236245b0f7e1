package io.smcontainers.intermediate.sync;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

/**
 * The "training" of {@link WriterBenchmark}, run as its own JVM (JDK only on its class path): writes 2,000 files of
 * 64 KB, then one of 256 MB, into the folder given and prints its wall time in seconds.
 */
public final class TrainingWriter {
    private TrainingWriter() {}

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        byte[] content = new byte[64 * 1024];
        Arrays.fill(content, (byte) 7);
        long start = System.nanoTime();
        for (int i = 0; i < 2000; i++) {
            Files.write(dir.resolve("w" + i + ".bin"), content);
        }
        TestFiles.writeRandom(dir.resolve("big.bin"), 256L * 1024 * 1024, new Random(2));
        System.out.println((System.nanoTime() - start) / 1e9);
    }
}
