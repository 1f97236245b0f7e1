package io.smcontainers.serving.netty;

import static io.smcontainers.serving.netty.PythonServers.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcontainers.serving.netty.testing.TestServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Multi-model endpoints on the Python backend (python-workers spec 3.13, E25): one worker set per model, each with its own code/. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class PythonMultiModelIT {
    @Test
    void eachModelHasItsOwnWorkersAndCode() throws Exception {
        Path root = Files.createTempDirectory("smc-py-mme-");
        for (String[] model : new String[][] {
            {"f15a", "a"}, {"f15b", "b"}, {"mme_bad", "bad"}, {"mme_oom", "oom"}, {"f15a", "c"}, {"f15a", "d"}
        }) {
            PythonServers.copyFixture(model[0], Files.createDirectories(root.resolve(model[1])));
        }
        try (PythonServers server = PythonServers.start(
                root,
                Map.of(
                        "SAGEMAKER_MULTI_MODEL",
                        "true",
                        "SAGEMAKER_MODEL_SERVER_WORKERS",
                        "2",
                        "SMC_MME_WORKERS_PER_MODEL",
                        "1",
                        "SMC_MME_MAX_PROCESSES",
                        "3"))) {
            assertEquals(200, server.get("/ping").statusCode());
            assertEquals(0, server.processes().size(), "no worker before a load");
            assertEquals(200, load(server, "a", "a").statusCode());
            assertEquals(200, load(server, "b", "b").statusCode());
            assertEquals(2, server.processes().size(), "one worker per model (SMC_MME_WORKERS_PER_MODEL=1)");
            String a = invoke(server, "a");
            String b = invoke(server, "b");
            assertTrue(a.startsWith("model-a "), "both models ship code/inference.py; each imports its own: " + a);
            assertTrue(b.startsWith("model-b "), b);
            assertNotEquals(a.substring(8), b.substring(8), "separate processes");
            assertEquals(409, load(server, "a", "a").statusCode());
            assertEquals(404, load(server, "missing", "missing").statusCode());

            HttpResponse<String> bad = load(server, "bad", "bad");
            assertEquals(500, bad.statusCode(), bad.body());
            assertTrue(bad.body().contains("RuntimeError: this model cannot load"), bad.body());
            assertTrue(bad.body().contains("Traceback (most recent call last)"), bad.body());
            HttpResponse<String> oom = load(server, "oom", "oom");
            assertEquals(507, oom.statusCode(), oom.body());
            assertFalse(server.get("/models").body().contains("bad"), "a failed load is not registered");
            assertFalse(server.get("/models").body().contains("oom"));
            assertEquals(2, server.processes().size(), "failed loads leave no worker");
            assertEquals(200, load(server, "c", "c").statusCode());
            HttpResponse<String> capped = load(server, "d", "d");
            assertEquals(507, capped.statusCode(), capped.body());
            assertTrue(capped.body().contains("SMC_MME_MAX_PROCESSES=3"), capped.body());
            assertEquals(3, server.processes().size());

            long pidA = Long.parseLong(a.substring(8));
            HttpResponse<String> deleted = TestServer.client()
                    .send(
                            HttpRequest.newBuilder(server.uri("/models/a"))
                                    .DELETE()
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertEquals(200, deleted.statusCode(), deleted.body());
            assertTrue(
                    ProcessHandle.of(pidA).map(p -> !p.isAlive()).orElse(true),
                    "model a's worker is reaped before the 200");
            assertTrue(await(Duration.ofSeconds(5), () -> server.processes().size() == 2));
            assertEquals(
                    404,
                    TestServer.client()
                            .send(invocation(server, "a"), HttpResponse.BodyHandlers.ofString())
                            .statusCode());
            assertTrue(invoke(server, "b").startsWith("model-b "));
        }
    }

    private static HttpResponse<String> load(PythonServers server, String name, String url) throws Exception {
        return TestServer.client()
                .send(
                        HttpRequest.newBuilder(server.uri("/models"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(
                                        "{\"model_name\": \"" + name + "\", \"url\": \"" + url + "\"}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest invocation(PythonServers server, String model) {
        return HttpRequest.newBuilder(server.uri("/models/" + model + "/invoke"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("[1]"))
                .build();
    }

    private static String invoke(PythonServers server, String model) throws Exception {
        HttpResponse<String> response =
                TestServer.client().send(invocation(server, model), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return response.body();
    }
}
