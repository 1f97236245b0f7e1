package io.smcontainers.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcontainers.launcher.testing.JobFolder;
import io.smcontainers.launcher.testing.S3MockServer;
import io.smcontainers.launcher.testing.Toolkit;
import io.smcontainers.launcher.testing.Toolkit.Run;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** {@code s3://} submit directories against a real S3 server (S3Mock) on 127.0.0.1, through {@code bin/train}. */
@ExtendWith(S3MockServer.class)
class S3SourceIT {
    @TempDir
    Path tmp;

    private static Map<String, String> s3Environment(JobFolder job, String endpoint) {
        return Map.of(
                "SAGEMAKER_BASE_DIR",
                job.base().toString(),
                "S3_ENDPOINT_URL",
                endpoint,
                "AWS_ACCESS_KEY_ID",
                "AKIDTEST",
                "AWS_SECRET_ACCESS_KEY",
                "secretTEST",
                "AWS_REGION",
                "us-west-2");
    }

    @Test
    void sourceBundleIsDownloadedExtractedWithModesAndRun() throws Exception {
        ByteArrayOutputStream bundle = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(bundle))) {
            add(tar, "train.sh", "#!/bin/sh\n./lib/helper.sh \"$@\" > \"$SM_MODEL_DIR/out\"\n", 0100755);
            add(tar, "lib/helper.sh", "#!/bin/sh\necho \"helper $*\"\n", 0100755);
        }
        try (S3Client s3 = S3MockServer.client()) {
            s3.createBucket(b -> b.bucket("code-bucket"));
            s3.putObject(
                    b -> b.bucket("code-bucket").key("job/source/sourcedir.tar.gz"),
                    RequestBody.fromBytes(bundle.toByteArray()));
        }
        JobFolder job = new JobFolder(tmp)
                .program("train.sh")
                .hyperparameter("n", "7")
                .submitDirectory("s3://code-bucket/job/source/sourcedir.tar.gz")
                .write();
        Run run = Toolkit.run(tmp.resolve("logs"), s3Environment(job, S3MockServer.endpoint()), "train");
        assertEquals(0, run.exitCode(), run.stderr());
        assertEquals("helper -n 7\n", Files.readString(job.base().resolve("model/out")));
        assertTrue(Files.isExecutable(job.base().resolve("code/lib/helper.sh")));
    }

    @Test
    void missingObjectIsAClearUserError() throws Exception {
        try (S3Client s3 = S3MockServer.client()) {
            s3.createBucket(b -> b.bucket("empty-bucket"));
        }
        JobFolder job = new JobFolder(tmp)
                .program("train.py")
                .submitDirectory("s3://empty-bucket/nope/sourcedir.tar.gz")
                .write();
        Run run = Toolkit.run(tmp.resolve("logs"), s3Environment(job, S3MockServer.endpoint()), "train");
        assertEquals(1, run.exitCode(), run.stderr());
        assertTrue(
                job.failure()
                        .startsWith(
                                "Cannot download the user code from s3://empty-bucket/nope/sourcedir.tar.gz (endpoint "
                                        + S3MockServer.endpoint() + "): HTTP 404"),
                job.failure());
    }

    @Test
    void unreachableEndpointFailsWithAClearErrorInBoundedTime() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        JobFolder job = new JobFolder(tmp)
                .program("train.py")
                .submitDirectory("s3://bucket/sourcedir.tar.gz")
                .write();
        long start = System.nanoTime();
        Run run = Toolkit.run(tmp.resolve("logs"), s3Environment(job, "http://127.0.0.1:" + closed), "train");
        assertEquals(1, run.exitCode(), run.stderr());
        assertTrue(
                job.failure()
                        .startsWith(
                                "Cannot download the user code from s3://bucket/sourcedir.tar.gz (endpoint http://127.0.0.1:"
                                        + closed + ")"),
                job.failure());
        assertTrue(job.failure().contains("Check that the S3 endpoint is reachable"), job.failure());
        assertTrue((System.nanoTime() - start) / 1_000_000_000 < 120, "bounded");
        try (var entries = Files.list(job.base().resolve("code"))) {
            assertEquals(0, entries.count());
        }
    }

    private static void add(TarArchiveOutputStream tar, String name, String content, int mode) throws Exception {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(bytes.length);
        entry.setMode(mode);
        tar.putArchiveEntry(entry);
        tar.write(bytes);
        tar.closeArchiveEntry();
    }
}
