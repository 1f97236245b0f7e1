package io.smcontainers.launcher;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcontainers.framework.spi.ModelHandler;
import io.smcontainers.launcher.testing.PrometheusText;
import io.smcontainers.launcher.testing.SlowEchoHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/serve} from the built distribution as a real process: a handler found in {@code <model dir>/code/*.jar}
 * (ServiceLoader or {@code SAGEMAKER_SERVING_MODULE}), ready on {@code /ping}, invoked, drained on SIGTERM; and the
 * start-up failures that exit 1 with a message on stderr.
 */
class ServeCommandIT {
    static final Path DIST = Path.of("target", "dist").toAbsolutePath();
    private static final String HANDLER = SlowEchoHandler.class.getName();

    private final HttpClient client =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Process process;

    @TempDir
    Path temp;

    @AfterEach
    void stop() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
        }
    }

    @Test
    void servesFromTheBaseDirAndDrainsAnInFlightRequestOnSigterm() throws Exception {
        Path base = temp.resolve("ml");
        handlerJar(base.resolve("model"), true);
        int port = freePort();
        start(Map.of(
                "SAGEMAKER_BASE_DIR",
                base.toString(),
                "SMC_BIND_ADDRESS",
                "127.0.0.1",
                "SAGEMAKER_BIND_TO_PORT",
                Integer.toString(port)));
        awaitPing(port);

        HttpResponse<String> echo = invoke(port, "{\"instances\": [1, 2]}");
        assertEquals(200, echo.statusCode());
        assertEquals("{\"instances\": [1, 2]}", echo.body());
        assertEquals(
                "application/json", echo.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(
                base.resolve("model").toString(),
                invoke(port, "where").body(),
                "the default model dir is <base>/model");

        CompletableFuture<HttpResponse<String>> slow =
                client.sendAsync(post(port, "slow"), HttpResponse.BodyHandlers.ofString());
        await("the handler to start the slow request", () -> Files.exists(base.resolve("model/slow-started")));
        process.destroy();
        await("serve to take the SIGTERM", () -> stderr().contains("Received SIGTERM: stopping"));
        assertTrue(process.isAlive(), "serve drains the in-flight request before it exits");
        assertFalse(slow.isDone(), "the in-flight request is still running");
        Files.createFile(base.resolve("model/release"));
        HttpResponse<String> drained = slow.get(20, TimeUnit.SECONDS);
        assertEquals(200, drained.statusCode(), "the in-flight request completes during the drain");
        assertEquals("slept", drained.body());
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "serve exits after the drain");
        String stderr = stderr();
        assertEquals(0, process.exitValue(), stderr);
        assertTrue(stderr.contains("Received SIGTERM: stopping"), stderr);
        assertTrue(stderr.contains("Serving " + HANDLER), stderr);
    }

    @Test
    void modelDirArgumentAndServingModuleSelectTheModelAndHandler() throws Exception {
        Path model = temp.resolve("elsewhere");
        handlerJar(model, false);
        int port = freePort();
        start(
                Map.of(
                        "SAGEMAKER_BASE_DIR",
                        temp.resolve("ml").toString(),
                        "SMC_BIND_ADDRESS",
                        "127.0.0.1",
                        "SAGEMAKER_BIND_TO_PORT",
                        Integer.toString(port),
                        "SAGEMAKER_SERVING_MODULE",
                        HANDLER),
                "--model-dir",
                model.toString());
        awaitPing(port);
        assertEquals(model.toString(), invoke(port, "where").body());
        process.destroy();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), stderr());
    }

    @Test
    void metricsAreServedOnTheirOwnPortWhenTheVariableIsSet() throws Exception {
        Path base = temp.resolve("ml");
        handlerJar(base.resolve("model"), true);
        int port = freePort();
        int metricsPort = freePort();
        start(Map.of(
                "SAGEMAKER_BASE_DIR",
                base.toString(),
                "SMC_BIND_ADDRESS",
                "127.0.0.1",
                "SAGEMAKER_BIND_TO_PORT",
                Integer.toString(port),
                "SMC_METRICS_PORT",
                Integer.toString(metricsPort)));
        awaitPing(port);
        assertEquals(200, invoke(port, "{}").statusCode());
        HttpResponse<String> scrape = client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics"))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, scrape.statusCode(), scrape.body());
        PrometheusText metrics = PrometheusText.parse(scrape.body());
        assertEquals(
                1, metrics.value("smc_http_requests_total{model=\"model\",route=\"/invocations\",status=\"200\"}"));
        assertEquals(1, metrics.value("smc_model_load_duration_seconds_count{model=\"model\"}"));
        assertTrue(metrics.value("jvm_memory_used_bytes{area=\"heap\"}") > 0);
        process.destroy();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), stderr());
    }

    @Test
    void noHandlerExits1AndSaysHowToProvideOne() throws Exception {
        Path model = Files.createDirectories(temp.resolve("ml").resolve("model"));
        start(Map.of(
                "SAGEMAKER_BASE_DIR",
                temp.resolve("ml").toString(),
                "SMC_BIND_ADDRESS",
                "127.0.0.1",
                "SAGEMAKER_BIND_TO_PORT",
                Integer.toString(freePort())));
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        String stderr = stderr();
        assertEquals(1, process.exitValue(), stderr);
        assertTrue(
                stderr.contains("No model handler to serve")
                        && stderr.contains("SAGEMAKER_SERVING_MODULE")
                        && stderr.contains(model.resolve("code").toString()),
                stderr);
    }

    @Test
    void aModelThatFailsToLoadExits1WithItsError() throws Exception {
        Path model = temp.resolve("ml").resolve("model");
        handlerJar(model, true);
        Files.writeString(model.resolve("broken"), "");
        start(Map.of(
                "SAGEMAKER_BASE_DIR",
                temp.resolve("ml").toString(),
                "SMC_BIND_ADDRESS",
                "127.0.0.1",
                "SAGEMAKER_BIND_TO_PORT",
                Integer.toString(freePort())));
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        String stderr = stderr();
        assertEquals(1, process.exitValue(), stderr);
        assertTrue(stderr.contains("The model failed to load") && stderr.contains("is corrupt (on purpose)"), stderr);
    }

    @Test
    void sigtermDuringTheModelLoadStopsWithinSecondsAndTheAccessLogEscapesControlCharacters() throws Exception {
        Path model = temp.resolve("ml").resolve("model");
        handlerJar(model, true);
        Files.writeString(model.resolve("slow-load"), "");
        int port = freePort();
        start(Map.of(
                "SAGEMAKER_BASE_DIR",
                temp.resolve("ml").toString(),
                "SMC_BIND_ADDRESS",
                "127.0.0.1",
                "SAGEMAKER_BIND_TO_PORT",
                Integer.toString(port)));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int status = 0;
        while (status != 503 && System.nanoTime() < deadline) {
            assertTrue(process.isAlive(), this::readQuietly);
            try {
                status = client.send(
                                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ping"))
                                        .timeout(Duration.ofSeconds(2))
                                        .build(),
                                HttpResponse.BodyHandlers.discarding())
                        .statusCode();
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        assertEquals(503, status, "listening, the model loading");
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream()
                    .write("GET /x\u001b[31mred\u0007?q=\u001b[2J HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                            .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            String answer =
                    new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
            assertTrue(answer.startsWith("HTTP/1.1 404"), answer);
        }
        await("the access-log line of the 404", () -> stderr().contains("\" 404 "));
        long start = System.nanoTime();
        process.destroy();
        assertTrue(
                process.waitFor(10, TimeUnit.SECONDS), "serve stops within seconds of SIGTERM while the model loads");
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        String stderr = stderr();
        assertEquals(0, process.exitValue(), stderr);
        assertTrue(took < 10_000, "stopped in " + took + " ms");
        assertTrue(
                stderr.contains("Received SIGTERM: stopping")
                        && stderr.contains("Stopping while the model is still loading"),
                stderr);
        assertTrue(stderr.contains("\"GET /x\\x1b[31mred\\x07?q=\\x1b[2J HTTP/1.1\" 404 "), stderr);
        assertTrue(stderr.chars().noneMatch(c -> c == 0x1b || c == 0x07), "no raw control character in the log");
    }

    /** Packs the test handler into {@code <model>/code/handler.jar}, registered for ServiceLoader when asked. */
    private static void handlerJar(Path model, boolean registered) throws IOException {
        Files.createDirectories(model.resolve("code"));
        String entry = HANDLER.replace('.', '/') + ".class";
        Path classFile = Path.of("target", "test-classes").resolve(entry);
        try (OutputStream file = Files.newOutputStream(model.resolve("code").resolve("handler.jar"));
                JarOutputStream jar = new JarOutputStream(file)) {
            jar.putNextEntry(new JarEntry(entry));
            jar.write(Files.readAllBytes(classFile));
            jar.closeEntry();
            if (registered) {
                jar.putNextEntry(new JarEntry("META-INF/services/" + ModelHandler.class.getName()));
                jar.write((HANDLER + "\n").getBytes(UTF_8));
                jar.closeEntry();
            }
        }
    }

    private void start(Map<String, String> variables, String... args) throws IOException {
        List<String> command = new java.util.ArrayList<>(
                List.of(DIST.resolve("bin").resolve("serve").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(temp.resolve("stdout.txt").toFile())
                .redirectError(temp.resolve("stderr.txt").toFile());
        Map<String, String> environment = builder.environment();
        environment
                .keySet()
                .removeIf(name -> name.startsWith("SAGEMAKER_") || name.startsWith("SM_") || name.startsWith("SMC_"));
        environment.putAll(new HashMap<>(variables));
        process = builder.start();
    }

    private String stderr() throws IOException {
        return Files.readString(temp.resolve("stderr.txt"));
    }

    private void awaitPing(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            assertTrue(process.isAlive(), () -> "serve exited before /ping answered 200: " + readQuietly());
            try {
                HttpResponse<String> ping = client.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ping"))
                                .timeout(Duration.ofSeconds(2))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (ping.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        throw new AssertionError("/ping did not answer 200 within 30 s: " + stderr());
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void await(String what, Condition condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after 30 s waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    private String readQuietly() {
        try {
            return stderr();
        } catch (IOException e) {
            return e.toString();
        }
    }

    private HttpRequest post(int port, String body) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/invocations"))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    private HttpResponse<String> invoke(int port, String body) throws Exception {
        return client.send(post(port, body), HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
