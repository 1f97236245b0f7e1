package io.smcontainers.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smcontainers.launcher.testing.JobFolder;
import io.smcontainers.launcher.testing.S3MockServer;
import io.smcontainers.launcher.testing.Toolkit;
import io.smcontainers.launcher.testing.Toolkit.Run;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** {@code SMC_LOG_FORMAT=json} through {@code bin/train}: every line on stderr is one JSON object; downloads log progress. */
@ExtendWith(S3MockServer.class)
class JsonLogIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void everyLogLineIsAJsonObjectAndTheDownloadReportsProgress() throws Exception {
        // 8 MiB of noise (gzip cannot shrink it), so the download takes several writes
        byte[] noise = new byte[8 << 20];
        new Random(7).nextBytes(noise);
        ByteArrayOutputStream bundle = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(bundle))) {
            add(tar, "train.sh", "#!/bin/sh\necho \"trained $*\"\n".getBytes(), 0100755);
            add(tar, "noise.bin", noise, 0100644);
        }
        try (S3Client s3 = S3MockServer.client()) {
            s3.createBucket(b -> b.bucket("json-logs"));
            s3.putObject(
                    b -> b.bucket("json-logs").key("src/sourcedir.tar.gz"),
                    RequestBody.fromBytes(bundle.toByteArray()));
        }
        JobFolder job = new JobFolder(tmp)
                .program("train.sh")
                .hyperparameter("n", "7")
                .submitDirectory("s3://json-logs/src/sourcedir.tar.gz")
                .write();
        Run run = Toolkit.run(
                tmp.resolve("logs"),
                Map.of(
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
                        "SMC_LOG_FORMAT",
                        "json",
                        "SMC_PROGRESS_INTERVAL_SECONDS",
                        "0.000001"),
                "train");
        assertEquals(0, run.exitCode(), run.stderr());
        assertTrue(run.stdout().contains("trained -n 7"), run.stdout());

        List<JsonNode> lines = new ArrayList<>();
        for (String line : run.stderr().split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (Exception e) {
                throw new AssertionError("not a JSON object: " + line + "\nstderr:\n" + run.stderr(), e);
            }
            assertTrue(node.isObject(), line);
            OffsetDateTime.parse(node.get("time").asText());
            assertTrue(
                    List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR")
                            .contains(node.get("level").asText()),
                    line);
            assertFalse(node.get("logger").asText().isEmpty(), line);
            assertTrue(node.has("message") && node.has("thread"), line);
            assertFalse(node.has("@version") || node.has("level_value"), line);
            lines.add(node);
        }
        List<String> messages =
                lines.stream().map(n -> n.get("message").asText()).toList();
        String where = "s3://json-logs/src/sourcedir.tar.gz (endpoint " + S3MockServer.endpoint() + ")";
        assertTrue(
                messages.stream()
                        .anyMatch(m -> m.startsWith("Downloading " + where + ": ")
                                && m.contains(" of 8.0 MiB (")
                                && m.contains("/s, ")
                                && m.endsWith(" s elapsed")),
                messages.toString());
        assertTrue(
                messages.stream().anyMatch(m -> m.startsWith("Downloaded " + where + ": 8.0 MiB in ")),
                messages.toString());
        assertTrue(messages.stream().anyMatch(m -> m.contains("Reporting training SUCCESS")), messages.toString());
    }

    @Test
    void theDefaultStaysTheReferenceTextFormat() throws Exception {
        JobFolder job = new JobFolder(tmp)
                .sourceFile("train.sh", "#!/bin/sh\nexit 0\n")
                .program("train.sh")
                .write();
        Run run = Toolkit.run(
                tmp.resolve("logs"), Map.of("SAGEMAKER_BASE_DIR", job.base().toString()), "train");
        assertEquals(0, run.exitCode(), run.stderr());
        List<String> logLines = run.stderr()
                .lines()
                .filter(l -> l.matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d,\\d{3} .*"))
                .toList();
        assertFalse(logLines.isEmpty(), run.stderr());
        for (String line : logLines) {
            if (!line.matches(
                    "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d,\\d{3} sagemaker-training-toolkit (INFO |WARNING|ERROR|DEBUG)    .*")) {
                fail("not the reference layout: " + line);
            }
        }
        assertFalse(run.stderr().contains("{\"time\""), run.stderr());
    }

    private static void add(TarArchiveOutputStream tar, String name, byte[] content, int mode) throws Exception {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(content.length);
        entry.setMode(mode);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }
}
