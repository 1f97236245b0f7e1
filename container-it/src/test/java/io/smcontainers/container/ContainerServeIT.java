package io.smcontainers.container;

import static io.smcontainers.container.testing.Container.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smcontainers.container.testing.Container;
import io.smcontainers.container.testing.SlowEchoHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code docker run IMAGE serve} and {@code docker stop}: the server is PID 1 of its namespaces, listens on 8080 on every
 * address of the container, and a client in another network namespace reaches it through the veth pair.
 */
class ContainerServeIT {
    private static final String BASE = "http://" + Container.ADDRESS + ":8080";
    private static final Map<String, String> HANDLER =
            Map.of("SAGEMAKER_SERVING_MODULE", SlowEchoHandler.class.getName());

    @TempDir
    Path temp;

    private Container container;

    @BeforeEach
    void create() throws Exception {
        container = Container.create(temp);
    }

    @AfterEach
    void remove() throws Exception {
        container.close();
    }

    @Test
    void servesThroughTheNetworkNamespaceOnPort8080() throws Exception {
        Path job = job();
        container.run(job, HANDLER, "serve");
        awaitPing();
        assertTrue(
                container.initCommandLine().contains("io.smcontainers.launcher.Main serve"),
                container.initCommandLine());
        assertEquals(
                "200 {\"instances\": [1, 2]}",
                container.curl(
                        "-H",
                        "Content-Type: application/json",
                        "--data-binary",
                        "{\"instances\": [1, 2]}",
                        BASE + "/invocations"));
        assertTrue(container.stop(Duration.ofSeconds(30)), container.stderr());
        assertEquals(0, container.exitCode(Duration.ofSeconds(5)), container.stderr());
    }

    @Test
    void dockerStopDrainsTheRequestInFlight() throws Exception {
        Path job = job();
        container.run(job, HANDLER, "serve");
        awaitPing();
        Path slow = temp.resolve("slow-response");
        Process inFlight = container.curlInBackground(
                slow, "-H", "Content-Type: text/plain", "--data-binary", "slow", BASE + "/invocations");
        waitFor(
                Duration.ofSeconds(30),
                () -> Files.exists(job.resolve("model/in-flight")),
                "the slow request to reach the handler");
        container.init().destroy(); // docker stop: SIGTERM to PID 1 ...
        waitFor(
                Duration.ofSeconds(10),
                () -> status("/ping").equals("503") || !container.isRunning(),
                "/ping to turn 503 while draining");
        assertTrue(inFlight.waitFor(30, TimeUnit.SECONDS));
        assertEquals("slept\n200", Files.readString(slow));
        // ... and exits 0 well within docker's default grace of 10 s
        assertEquals(0, container.exitCode(Duration.ofSeconds(10)), container.stderr());
    }

    @Test
    void jsonLogsNameTheRequestModelAndWorker() throws Exception {
        Path job = job();
        Map<String, String> environment = new java.util.HashMap<>(HANDLER);
        environment.put("SMC_LOG_FORMAT", "json");
        container.run(job, environment, "serve");
        awaitPing();
        String failed = container.curl(
                "-H",
                "X-Amzn-SageMaker-Inference-Id: req-42",
                "-H",
                "Content-Type: text/plain",
                "--data-binary",
                "fail",
                BASE + "/invocations");
        assertTrue(failed.startsWith("4") || failed.startsWith("5"), failed);
        assertTrue(container.stop(Duration.ofSeconds(30)), container.stderr());
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : container.stderr().split("\n")) {
            if (!line.isEmpty()) {
                JsonNode node = json.readTree(line); // every line: one JSON object
                assertTrue(node.has("time") && node.has("level") && node.has("logger") && node.has("message"), line);
                lines.add(node);
            }
        }
        JsonNode failure = lines.stream()
                .filter(n -> n.get("message").asText().contains("req-42") && n.has("request_id"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no log line of the failed invocation: " + container.stderr()));
        assertEquals("req-42", failure.get("request_id").asText());
        assertTrue(failure.get("worker").asText().startsWith("smc-inference-"), failure.toString());
        assertFalse(failure.get("model").asText().isEmpty(), failure.toString());
        assertTrue(
                failure.get("stack_trace").asText().contains("cannot score 'fail' (on purpose)"), failure.toString());
    }

    private Path job() throws IOException {
        Path job = temp.resolve("job");
        Path code = Files.createDirectories(job.resolve("model/code"));
        String entry = SlowEchoHandler.class.getName().replace('.', '/') + ".class";
        Path classFile = Path.of(System.getProperty("smc.test.classes", "target/test-classes"))
                .resolve(entry);
        try (OutputStream file = Files.newOutputStream(code.resolve("handler.jar"));
                JarOutputStream jar = new JarOutputStream(file)) {
            jar.putNextEntry(new JarEntry(entry));
            jar.write(Files.readAllBytes(classFile));
            jar.closeEntry();
        }
        return job;
    }

    private void awaitPing() {
        waitFor(
                Duration.ofSeconds(120),
                () -> {
                    if (!container.isRunning()) {
                        throw new AssertionError("serve exited: " + container.stderr());
                    }
                    return status("/ping").equals("200");
                },
                "/ping to answer 200 through the veth pair");
    }

    private String status(String path) {
        try {
            String response = container.curl("--max-time", "5", BASE + path);
            return response.substring(0, response.indexOf(' '));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
