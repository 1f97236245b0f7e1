package io.smcontainers.intermediate.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * One training job's worth of test setup: a base folder, a fresh bucket on the shared S3Mock, settings as the trainer
 * builds them, and a separate client that checks what landed in the bucket.
 */
final class SyncFixture implements AutoCloseable {
    static final String JOB = "job-1";

    final Path base;
    final Path intermediate;
    final String bucket;
    final S3AsyncClient client;
    final URI endpoint;

    SyncFixture(URI endpoint) throws IOException {
        this.endpoint = endpoint;
        this.base = Files.createTempDirectory("smc-sync-base");
        Files.createDirectories(base.resolve("output"));
        this.intermediate = base.resolve("output").resolve("intermediate");
        this.bucket = "b-" + UUID.randomUUID().toString().substring(0, 13);
        this.client = S3AsyncClient.builder()
                .endpointOverride(endpoint)
                .forcePathStyle(true)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(S3ServerProcess.ACCESS_KEY, S3ServerProcess.SECRET_KEY)))
                .build();
        client.createBucket(b -> b.bucket(bucket)).join();
    }

    Map<String, String> env() {
        return Map.of(
                "S3_ENDPOINT_URL",
                endpoint.toString(),
                "AWS_ACCESS_KEY_ID",
                S3ServerProcess.ACCESS_KEY,
                "AWS_SECRET_ACCESS_KEY",
                S3ServerProcess.SECRET_KEY,
                "AWS_REGION",
                "us-east-1");
    }

    SyncSettings settings() {
        if (SyncSettings.jobOwnsFolder("s3://" + bucket, intermediate)) {
            SyncSettings.createFolders(intermediate);
        }
        return SyncSettings.fromJob("s3://" + bucket, JOB, intermediate, env()).orElseThrow();
    }

    String key(String rel) {
        return JOB + "/output/intermediate/" + rel;
    }

    Path file(String rel) throws IOException {
        Path p = intermediate.resolve(rel);
        Files.createDirectories(p.getParent());
        return p;
    }

    void write(String rel, String content) throws IOException {
        Files.writeString(file(rel), content);
    }

    /** Every object in the bucket, key to size. */
    Map<String, Long> objects() {
        Map<String, Long> all = new TreeMap<>();
        client.listObjectsV2Paginator(r -> r.bucket(bucket))
                .contents()
                .subscribe(o -> all.put(o.key(), o.size()))
                .join();
        return all;
    }

    byte[] get(String key) {
        return client.getObject(r -> r.bucket(bucket).key(key), AsyncResponseTransformer.toBytes())
                .join()
                .asByteArray();
    }

    boolean exists(String key) {
        try {
            client.headObject(r -> r.bucket(bucket).key(key)).join();
            return true;
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof NoSuchKeyException
                    || e.getCause() instanceof software.amazon.awssdk.services.s3.model.S3Exception s
                            && s.statusCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    /** Waits until the object holds exactly {@code content}; fails after the timeout. */
    void awaitContent(String rel, String content, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = null;
        while (System.nanoTime() < deadline) {
            if (exists(key(rel))) {
                last = new String(get(key(rel)), java.nio.charset.StandardCharsets.UTF_8);
                if (last.equals(content)) {
                    return;
                }
            }
            Thread.sleep(100);
        }
        fail("s3://" + bucket + "/" + key(rel) + " did not reach the expected content within " + timeout
                + "; last seen: " + (last == null ? "absent" : "'" + abbreviate(last) + "'"));
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }

    /** Local regular files under the intermediate folder (staging folder excluded), relative path to file. */
    Map<String, Path> localFiles() throws IOException {
        Map<String, Path> files = new TreeMap<>();
        Path staging = intermediate.resolve(SyncSettings.STAGING_DIR_NAME);
        Files.walkFileTree(intermediate, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                return dir.equals(staging) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (Files.isRegularFile(file)) {
                    files.put(intermediate.relativize(file).toString(), file);
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return files;
    }

    /**
     * The bucket mirrors the folder: one object per local file under the job's prefix and nothing else in the
     * bucket; each object has the file's size and the file's MD5 as its ETag (the multipart form, MD5 of the 8 MiB
     * parts' MD5s and "-N", above the threshold). Up to 300 objects of up to 64 MiB are also downloaded and compared
     * by SHA-256.
     */
    void assertMirrors() throws Exception {
        Map<String, Path> local = localFiles();
        Map<String, S3Object> objects = new TreeMap<>();
        client.listObjectsV2Paginator(r -> r.bucket(bucket))
                .contents()
                .subscribe(o -> objects.put(o.key(), o))
                .join();
        List<String> expectedKeys = new ArrayList<>();
        local.keySet().forEach(rel -> expectedKeys.add(key(rel)));
        expectedKeys.sort(null);
        assertEquals(
                expectedKeys,
                new ArrayList<>(objects.keySet()),
                "keys in s3://" + bucket + " vs files in " + intermediate);
        boolean download = local.size() <= 300;
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> checks = new ArrayList<>();
            for (Map.Entry<String, Path> f : local.entrySet()) {
                checks.add(pool.submit(() -> {
                    String key = key(f.getKey());
                    S3Object o = objects.get(key);
                    long size = Files.size(f.getValue());
                    assertEquals(size, o.size(), "size of " + key);
                    assertEquals(
                            TestFiles.s3Etag(f.getValue(), S3Clients.PART_SIZE),
                            o.eTag().replace("\"", ""),
                            "ETag (MD5) of " + key);
                    if (download && size <= 64L * 1024 * 1024) {
                        try (ResponseInputStream<GetObjectResponse> in = client.getObject(
                                                r -> r.bucket(bucket).key(key),
                                                AsyncResponseTransformer.toBlockingInputStream())
                                        .join();
                                InputStream body = in) {
                            assertEquals(TestFiles.sha256(f.getValue()), TestFiles.sha256(body), "content of " + key);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> check : checks) {
                check.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Override
    public void close() {
        client.close();
        TestFiles.deleteTree(base);
    }
}
