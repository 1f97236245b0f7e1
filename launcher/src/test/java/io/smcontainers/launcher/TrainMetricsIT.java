package io.smcontainers.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcontainers.launcher.testing.JobFolder;
import io.smcontainers.launcher.testing.PrometheusText;
import io.smcontainers.launcher.testing.S3MockServer;
import io.smcontainers.launcher.testing.Toolkit;
import io.smcontainers.launcher.testing.Toolkit.Run;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code bin/train} with {@code SMC_METRICS_PORT}: while a real entry point runs (and waits for the test's go-ahead),
 * {@code /metrics} is fetched with {@code java.net.http} and read by the Prometheus Python client's parser: the process
 * state and the intermediate sync's files, bytes and failures, against S3Mock.
 */
@ExtendWith(S3MockServer.class)
class TrainMetricsIT {
    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** Writes two files into the intermediate folder, says so, then waits for the test's file before exiting 0. */
    private static final String SCRIPT = String.join(
            "\n",
            "import os, time",
            "out = os.environ['SM_OUTPUT_INTERMEDIATE_DIR']",
            "with open(os.path.join(out, 'a.txt'), 'w') as f:",
            "    f.write('x' * 1000)",
            "with open(os.path.join(out, 'b.bin'), 'wb') as f:",
            "    f.write(bytes(2000))",
            "open(os.environ['METRICS_IT_WRITTEN'], 'w').close()",
            "deadline = time.time() + 120",
            "while not os.path.exists(os.environ['METRICS_IT_GO']) and time.time() < deadline:",
            "    time.sleep(0.05)",
            "");

    @TempDir
    Path tmp;

    @Test
    void processStateAndSyncCountsWhileTheJobRuns() throws Exception {
        try (S3Client s3 = S3MockServer.client()) {
            s3.createBucket(b -> b.bucket("metrics-bucket"));
        }
        int port = freePort();
        Process train = start("metrics-bucket", port);
        try {
            PrometheusText metrics = awaitMetrics(
                    train,
                    port,
                    "the two files uploaded",
                    text -> text.has("smc_sync_uploaded_files_total{}")
                            && text.value("smc_sync_uploaded_files_total{}") == 2);
            assertEquals(3000, metrics.value("smc_sync_uploaded_bytes_total{}"));
            assertEquals(0, metrics.value("smc_sync_failed_files{}"));
            assertEquals(0, metrics.value("smc_sync_queued_files{}"));
            assertEquals(1, metrics.value("smc_train_process_state{state=\"running\"}"));
            assertEquals(0, metrics.value("smc_train_process_state{state=\"exited\"}"));
            assertEquals(0, metrics.value("smc_train_process_state{state=\"not_started\"}"));
            assertEquals(1, metrics.value("smc_train_processes_started_total{}"));
            assertFalse(metrics.has("smc_train_process_last_exit_code{}"), "no process has ended yet");
            assertEquals("counter", metrics.type("smc_sync_uploaded_files"));
            assertEquals("gauge", metrics.type("smc_sync_failed_files"));
        } finally {
            Files.writeString(tmp.resolve("go"), "");
        }
        Run run = Toolkit.finish(train, tmp.resolve("logs"), 180);
        assertEquals(0, run.exitCode(), run.stderr());
        assertTrue(run.stderr().contains("Prometheus metrics on http://127.0.0.1:" + port + "/metrics"), run.stderr());
    }

    @Test
    void uploadsThatCannotBeMadeAreCountedAsFailures() throws Exception {
        int port = freePort();
        Process train = start("no-such-bucket", port);
        try {
            PrometheusText metrics = awaitMetrics(
                    train,
                    port,
                    "both files failed",
                    text -> text.has("smc_sync_failed_files{}") && text.value("smc_sync_failed_files{}") == 2);
            assertEquals(0, metrics.value("smc_sync_uploaded_files_total{}"));
            assertEquals(0, metrics.value("smc_sync_uploaded_bytes_total{}"));
        } finally {
            Files.writeString(tmp.resolve("go"), "");
        }
        Run run = Toolkit.finish(train, tmp.resolve("logs"), 180);
        assertEquals(0, run.exitCode(), "a failed upload never fails a job that succeeded: " + run.stderr());
    }

    @Test
    void aBadPortIsAUserErrorNamingTheVariable() throws Exception {
        JobFolder job = new JobFolder(tmp)
                .program("train.py")
                .sourceFile("train.py", "open('ran', 'w').write('x')\n")
                .write();
        Run run = Toolkit.run(
                tmp.resolve("logs"),
                Map.of("SAGEMAKER_BASE_DIR", job.base().toString(), "SMC_METRICS_PORT", "metrics"),
                "train");
        assertEquals(1, run.exitCode(), run.stderr());
        assertTrue(
                job.failure().contains("SMC_METRICS_PORT='metrics': expected an integer in 0..65535"), job.failure());
        assertFalse(Files.exists(job.base().resolve("code/ran")), "the entry point must not run");
    }

    private Process start(String bucket, int port) throws IOException {
        JobFolder job = new JobFolder(tmp)
                .program("train.py")
                .hyperparameter("sagemaker_s3_output", "\"s3://" + bucket + "/runs\"")
                .sourceFile("train.py", SCRIPT)
                .write();
        Map<String, String> environment = new HashMap<>(Map.of(
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
                "metrics-job"));
        environment.putAll(Map.of(
                "SMC_METRICS_PORT",
                Integer.toString(port),
                "SMC_BIND_ADDRESS",
                "127.0.0.1",
                "METRICS_IT_WRITTEN",
                tmp.resolve("written").toString(),
                "METRICS_IT_GO",
                tmp.resolve("go").toString()));
        return Toolkit.start(tmp.resolve("logs"), environment, "train");
    }

    private interface Condition {
        boolean holds(PrometheusText metrics);
    }

    /** Scrapes until {@code condition} holds (60 s at most; the job must still run): the metrics that satisfied it. */
    private PrometheusText awaitMetrics(Process train, int port, String what, Condition condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        PrometheusText last = null;
        while (System.nanoTime() < deadline) {
            assertTrue(train.isAlive(), () -> "train exited before " + what + ": " + stderr());
            try {
                HttpResponse<String> scrape = CLIENT.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (scrape.statusCode() == 200 && Files.exists(tmp.resolve("written"))) {
                    last = PrometheusText.parse(scrape.body());
                    if (condition.holds(last)) {
                        return last;
                    }
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        throw new AssertionError(
                "timed out waiting for " + what + "; last samples: " + (last == null ? "none" : last.samples()));
    }

    private String stderr() {
        try {
            return Files.readString(tmp.resolve("logs/stderr"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
