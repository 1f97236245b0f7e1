package io.smcontainers.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcontainers.launcher.testing.JobFolder;
import io.smcontainers.launcher.testing.S3MockServer;
import io.smcontainers.launcher.testing.Toolkit;
import io.smcontainers.launcher.testing.Toolkit.Run;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@code train} with {@code sagemaker_s3_output}: a real script writes into {@code SM_OUTPUT_INTERMEDIATE_DIR} while it
 * runs (nested folders, a rewritten file), and once {@code bin/train} has exited the bucket holds exactly the local
 * folder under {@code <prefix>/<job>/output/intermediate/}, byte for byte.
 */
@ExtendWith(S3MockServer.class)
class IntermediateSyncTrainIT {
    @TempDir
    Path tmp;

    private static Map<String, String> environment(JobFolder job) {
        return Map.of(
                "SAGEMAKER_BASE_DIR",
                job.base().toString(),
                "S3_ENDPOINT_URL",
                S3MockServer.endpoint(),
                "AWS_ACCESS_KEY_ID",
                "AKIDTEST",
                "AWS_SECRET_ACCESS_KEY",
                "secretTEST",
                "AWS_REGION",
                "us-west-2",
                "TRAINING_JOB_NAME",
                "sync-job");
    }

    @Test
    void intermediateOutputOfARealJobEndsUpInS3() throws Exception {
        try (S3Client s3 = S3MockServer.client()) {
            s3.createBucket(b -> b.bucket("sync-bucket"));
        }
        JobFolder job = new JobFolder(tmp)
                .program("train.py")
                .hyperparameter("sagemaker_s3_output", "\"s3://sync-bucket/runs\"")
                .sourceFile(
                        "train.py",
                        String.join(
                                "\n",
                                "import os, time",
                                "out = os.environ['SM_OUTPUT_INTERMEDIATE_DIR']",
                                "os.makedirs(os.path.join(out, 'epochs', 'deep'), exist_ok=True)",
                                "for epoch in range(3):",
                                "    with open(os.path.join(out, 'epochs', 'epoch-%d.txt' % epoch), 'w') as f:",
                                "        f.write('loss %d\\n' % (10 - epoch) * 1000)",
                                "    with open(os.path.join(out, 'latest.txt'), 'w') as f:",
                                "        f.write('epoch %d' % epoch)",
                                "    time.sleep(0.2)",
                                "with open(os.path.join(out, 'epochs', 'deep', 'model.bin'), 'wb') as f:",
                                "    f.write(bytes(range(256)) * 4096)",
                                ""))
                .write();
        Run run = Toolkit.run(tmp.resolve("logs"), environment(job), "train");
        assertEquals(0, run.exitCode(), run.stderr());
        assertTrue(job.succeeded());
        assertTrue(run.stderr().contains("Intermediate output sync uploaded"), run.stderr());

        Path local = job.base().resolve("output/intermediate");
        Map<String, byte[]> expected = new TreeMap<>();
        try (var files = Files.walk(local)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String relative = local.relativize(file).toString();
                if (!relative.startsWith(".tmp.sagemaker_s3_sync")) {
                    expected.put("runs/sync-job/output/intermediate/" + relative, Files.readAllBytes(file));
                }
            }
        }
        assertEquals(5, expected.size(), expected.keySet().toString());
        try (S3Client s3 = S3MockServer.client()) {
            Map<String, byte[]> actual = new TreeMap<>();
            for (S3Object object :
                    s3.listObjectsV2Paginator(b -> b.bucket("sync-bucket")).contents()) {
                actual.put(
                        object.key(),
                        s3.getObjectAsBytes(b -> b.bucket("sync-bucket").key(object.key()))
                                .asByteArray());
            }
            assertEquals(expected.keySet(), actual.keySet());
            for (String key : expected.keySet()) {
                assertTrue(java.util.Arrays.equals(expected.get(key), actual.get(key)), key);
            }
            assertEquals(
                    "epoch 2",
                    new String(actual.get("runs/sync-job/output/intermediate/latest.txt"), StandardCharsets.UTF_8));
        }
    }

    @Test
    void aNonS3SchemeIsAFrameworkFailure() throws Exception {
        JobFolder job = new JobFolder(tmp)
                .program("train.py")
                .hyperparameter("sagemaker_s3_output", "\"tcp://host/out\"")
                .sourceFile("train.py", "open('ran', 'w').write('x')\n")
                .write();
        Run run = Toolkit.run(tmp.resolve("logs"), environment(job), "train");
        assertEquals(1, run.exitCode(), run.stderr());
        assertTrue(job.failure().contains("Expecting 's3' scheme, got: tcp in"), job.failure());
        assertFalse(Files.exists(job.base().resolve("code/ran")), "the entry point must not run");
    }
}
