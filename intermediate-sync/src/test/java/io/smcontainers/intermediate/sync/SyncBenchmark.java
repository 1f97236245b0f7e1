package io.smcontainers.intermediate.sync;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * The sync's speed against a plain sequential upload loop, same S3 server (S3Proxy in memory, or S3Mock with
 * {@code -Dbench.server=s3mock}; child JVM on 127.0.0.1), same
 * client configuration, same run. Not a test: run it with {@code intermediate-sync/bench/run.sh}.
 *
 * <ul>
 *   <li>small files: 10,000 files of 4 KB, files/s (sync: files moved into the watched folder; loop: PutObject)
 *   <li>large files: 3 files of 256 MB, MB/s (multipart, 8 MiB parts)
 *   <li>latency: close of a file to its upload acknowledged (object visible), p50/p99, writer at 100 files/s
 * </ul>
 * The writer's slowdown, and the baseline build against this one, are {@link WriterBenchmark}'s.
 * System properties: {@code bench.small} (10000), {@code bench.large} (3), {@code bench.largeMb} (256),
 * {@code bench.latency} (1000).
 */
public final class SyncBenchmark {
    private static final int SMALL = Integer.getInteger("bench.small", 10_000);
    private static final int LARGE = Integer.getInteger("bench.large", 3);
    private static final int LARGE_MB = Integer.getInteger("bench.largeMb", 256);
    private static final int LATENCY = Integer.getInteger("bench.latency", 1000);

    private SyncBenchmark() {}

    public static void main(String[] args) throws Exception {
        boolean s3mock = "s3mock".equals(System.getProperty("bench.server", "s3proxy"));
        try (S3ServerProcess server = s3mock ? S3ServerProcess.s3mock() : S3ServerProcess.s3proxy()) {
            Path work = Files.createTempDirectory("smc-sync-bench");
            try {
                run(server, work);
            } finally {
                TestFiles.deleteTree(work);
            }
        }
    }

    private static void run(S3ServerProcess server, Path work) throws Exception {
        Path small = work.resolve("small");
        Path large = work.resolve("large");
        TestFiles.writeBenchmarkFiles(small, SMALL, large, LARGE, LARGE_MB);
        System.out.printf(
                "S3 server: %s at %s; %d small files of 4 KB, %d files of %d MB%n",
                System.getProperty("bench.server", "s3proxy"), server.endpoint(), SMALL, LARGE, LARGE_MB);

        // warm-up of both paths (JIT, connections), not measured
        loop(server, work, small, 500, "warm");
        sync(server, work, small, 500, "warm");

        if (Boolean.getBoolean("bench.latencyOnly")) {
            long[] l = latency(server, work);
            System.out.printf("latency p50 %d ms p99 %d ms%n", l[0], l[1]);
            return;
        }
        double loopSmall = loop(server, work, small, SMALL, "loop-small");
        double syncSmall = sync(server, work, small, SMALL, "sync-small");
        double loopLarge = loop(server, work, large, LARGE, "loop-large");
        double syncLarge = sync(server, work, large, LARGE, "sync-large");
        long[] latency = latency(server, work);

        double largeMb = LARGE * (double) LARGE_MB;
        System.out.println();
        System.out.printf(
                "small files  : loop %8.1f files/s   sync %8.1f files/s   sync/loop = %.2fx%n",
                SMALL / loopSmall, SMALL / syncSmall, loopSmall / syncSmall);
        System.out.printf(
                "large files  : loop %8.1f MB/s      sync %8.1f MB/s      sync/loop = %.2fx%n",
                largeMb / loopLarge, largeMb / syncLarge, loopLarge / syncLarge);
        System.out.printf(
                "latency      : close -> object visible p50 %d ms, p99 %d ms (%d files at 100 files/s)%n",
                latency[0], latency[1], LATENCY);
    }

    private static SyncSettings settings(S3ServerProcess server, Path intermediate, String bucket) {
        Map<String, String> env = Map.of(
                "S3_ENDPOINT_URL",
                server.endpoint().toString(),
                "AWS_ACCESS_KEY_ID",
                S3ServerProcess.ACCESS_KEY,
                "AWS_SECRET_ACCESS_KEY",
                S3ServerProcess.SECRET_KEY);
        if (SyncSettings.jobOwnsFolder("s3://" + bucket, intermediate)) {
            SyncSettings.createFolders(intermediate);
        }
        return SyncSettings.fromJob("s3://" + bucket, "bench", intermediate, env)
                .orElseThrow();
    }

    private static String bucket(S3AsyncClient client, String name) {
        String bucket = name + "-" + System.nanoTime();
        client.createBucket(b -> b.bucket(bucket)).join();
        return bucket;
    }

    /** A plain sequential loop: one PutObject per file, waiting for each, with the sync's client configuration. */
    private static double loop(S3ServerProcess server, Path work, Path source, int count, String name)
            throws Exception {
        Path intermediate = work.resolve(name + "-unused");
        Files.createDirectories(work.resolve(name + "-parent"));
        SyncSettings s = settings(server, work.resolve(name + "-parent").resolve("intermediate"), "x");
        try (S3AsyncClient client = S3Clients.create(s)) {
            String bucket = bucket(client, name);
            List<Path> files = files(source, count);
            long start = System.nanoTime();
            for (Path f : files) {
                client.putObject(
                                r -> r.bucket(bucket)
                                        .key(s.keyFor(f.getFileName().toString())),
                                AsyncRequestBody.fromFile(f))
                        .join();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("%-12s %6d files in %7.2f s%n", name, count, seconds);
            return seconds;
        } finally {
            TestFiles.deleteTree(intermediate);
        }
    }

    /** The sync: files are moved (renamed) into the watched folder; timed until the last upload is acknowledged. */
    private static double sync(S3ServerProcess server, Path work, Path source, int count, String name)
            throws Exception {
        Path parent = Files.createDirectories(work.resolve(name));
        Path intermediate = parent.resolve("intermediate");
        SyncSettings s = settings(server, intermediate, bucket(name));
        try (S3AsyncClient admin = S3Clients.create(s)) {
            admin.createBucket(b -> b.bucket(s.bucket())).join();
        }
        CountDownLatch done = new CountDownLatch(count);
        IntermediateSync sync = SyncEngine.start(s, new SyncEngine.Options(false, (rel, size) -> done.countDown()));
        List<Path> files = files(source, count);
        long start = System.nanoTime();
        for (Path f : files) {
            Files.move(f, intermediate.resolve(f.getFileName()));
        }
        if (!done.await(30, TimeUnit.MINUTES)) {
            throw new IllegalStateException(name + ": uploads did not finish");
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        SyncReport report = sync.stop(Duration.ofMinutes(5));
        if (!report.complete()) {
            throw new IllegalStateException(report.summary());
        }
        for (Path f : files) {
            Files.move(intermediate.resolve(f.getFileName()), f);
        }
        System.out.printf("%-12s %6d files in %7.2f s%n", name, count, seconds);
        return seconds;
    }

    private static String bucket(String name) {
        return name + "-" + System.nanoTime();
    }

    private static List<Path> files(Path dir, int count) throws Exception {
        try (var stream = Files.list(dir)) {
            return stream.sorted().limit(count).toList();
        }
    }

    private static long[] latency(S3ServerProcess server, Path work) throws Exception {
        Path parent = Files.createDirectories(work.resolve("latency"));
        Path intermediate = parent.resolve("intermediate");
        SyncSettings s = settings(server, intermediate, bucket("latency"));
        Map<String, Long> closed = new ConcurrentHashMap<>();
        Map<String, Long> uploaded = new ConcurrentHashMap<>();
        CountDownLatch done = new CountDownLatch(LATENCY);
        try (S3AsyncClient admin = S3Clients.create(s)) {
            admin.createBucket(b -> b.bucket(s.bucket())).join();
        }
        IntermediateSync sync = SyncEngine.start(s, new SyncEngine.Options(false, (rel, size) -> {
            if (uploaded.putIfAbsent(rel, System.nanoTime()) == null) {
                done.countDown();
            }
        }));
        byte[] content = new byte[4096];
        long next = System.nanoTime();
        for (int i = 0; i < LATENCY; i++) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            next += TimeUnit.MILLISECONDS.toNanos(10);
            String rel = "f" + i + ".bin";
            Path p = intermediate.resolve(rel);
            Files.write(p, content);
            closed.put(rel, System.nanoTime());
        }
        done.await(5, TimeUnit.MINUTES);
        sync.stop(Duration.ofMinutes(1));
        long[] sorted = closed.entrySet().stream()
                .filter(e -> uploaded.containsKey(e.getKey()))
                .mapToLong(e -> uploaded.get(e.getKey()) - e.getValue())
                .sorted()
                .toArray();
        return new long[] {
            TimeUnit.NANOSECONDS.toMillis(sorted[sorted.length / 2]),
            TimeUnit.NANOSECONDS.toMillis(sorted[(int) Math.min(sorted.length - 1, sorted.length * 99L / 100)])
        };
    }
}
