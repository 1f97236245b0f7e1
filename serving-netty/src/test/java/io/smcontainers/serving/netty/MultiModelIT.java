package io.smcontainers.serving.netty;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcontainers.framework.spi.ModelHandler;
import io.smcontainers.serving.netty.testing.LeakRecorder;
import io.smcontainers.serving.netty.testing.TestHandlers;
import io.smcontainers.serving.netty.testing.TestServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The multi-model endpoint API as the platform drives it (serving contract 1.10, Appendix A.9). */
class MultiModelIT {
    static {
        LeakRecorder.install();
    }

    @AfterEach
    void noLeaks() {
        assertEquals(List.of(), LeakRecorder.collectLeaks());
    }

    private static HttpResponse<String> load(TestServer server, String name, String url) throws Exception {
        return server.send(HttpRequest.newBuilder(server.uri("/models"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model_name\": \"" + name + "\", \"url\": \"" + url + "\"}")));
    }

    @Test
    void loadListInvokeUnload(@TempDir Path base) throws Exception {
        Files.createDirectories(base.resolve("models/m1/model"));
        Files.createDirectories(base.resolve("models/m2/model"));
        TestHandlers.Weights handler = new TestHandlers.Weights(ModelHandler.Concurrency.PER_WORKER, false);
        try (TestServer server = TestServer.start(
                handler, Map.of("SAGEMAKER_MULTI_MODEL", "true", "SAGEMAKER_BASE_DIR", base.toString()))) {
            assertEquals(200, server.get("/ping").statusCode());
            assertEquals("{\"models\": []}", server.get("/models").body());
            String url1 = base.resolve("models/m1/model").toString();
            HttpResponse<String> loaded = load(server, "m1", url1);
            assertEquals(200, loaded.statusCode(), loaded.body());
            assertEquals("{\"status\": \"Workers scaled\"}", loaded.body());
            assertEquals(409, load(server, "m1", url1).statusCode());
            assertEquals(
                    404,
                    load(server, "m3", base.resolve("models/missing/model").toString())
                            .statusCode());
            assertEquals(
                    404,
                    load(server, "m4", base.resolve("models/../models/m1/model").toString())
                            .statusCode());
            assertEquals(404, load(server, "m5", "/etc").statusCode(), "outside the model root");
            HttpResponse<String> missingUrl = server.send(HttpRequest.newBuilder(server.uri("/models"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model_name\": \"x\"}")));
            assertEquals(400, missingUrl.statusCode());
            assertTrue(missingUrl.body().contains("Parameter url is required."), missingUrl.body());
            assertEquals(200, load(server, "m2", "m2/model").statusCode(), "relative to the model root");
            assertEquals(
                    "{\"models\": [{\"modelName\": \"m1\", \"modelUrl\": \"" + url1
                            + "\"}, {\"modelName\": \"m2\", \"modelUrl\": \"m2/model\"}]}",
                    server.get("/models").body());
            assertEquals(
                    "{\"models\": [{\"modelName\": \"m1\", \"modelUrl\": \"" + url1 + "\"}], \"nextPageToken\": \"1\"}",
                    server.get("/models?limit=1").body());
            assertEquals(
                    "{\"models\": [{\"modelName\": \"m2\", \"modelUrl\": \"m2/model\"}]}",
                    server.get("/models?limit=1&next_page_token=1").body());
            HttpResponse<String> describe = server.get("/models/m1");
            assertTrue(
                    describe.body().startsWith("{\"modelName\": \"m1\", \"modelUrl\": \"" + url1 + "\""),
                    describe.body());
            assertEquals(404, server.get("/models/nope").statusCode());
            HttpResponse<String> invoked = server.send(HttpRequest.newBuilder(server.uri("/models/m1/invoke"))
                    .header("X-Amzn-SageMaker-Target-Model", "m1.tar.gz")
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("[6, 9, 42.0]")));
            assertEquals(200, invoked.statusCode());
            assertEquals("[36.0, 81.0, 1764.0]", invoked.body());
            assertEquals(
                    404,
                    server.post("/models/nope/invoke", "application/json", null, "[1]".getBytes(UTF_8))
                            .statusCode());
            assertEquals(
                    405,
                    server.send(HttpRequest.newBuilder(server.uri("/models")).PUT(HttpRequest.BodyPublishers.noBody()))
                            .statusCode());
            assertEquals(405, server.post("/models/m1", null, null, new byte[0]).statusCode());
            assertEquals(
                    400,
                    server.post("/invocations", "application/json", null, "[1]".getBytes(UTF_8))
                            .statusCode());
            HttpResponse<String> unloaded =
                    server.send(HttpRequest.newBuilder(server.uri("/models/m1")).DELETE());
            assertEquals(200, unloaded.statusCode());
            assertEquals("{\"status\": \"Model \\\"m1\\\" unregistered\"}", unloaded.body());
            assertEquals(
                    404,
                    server.send(HttpRequest.newBuilder(server.uri("/models/m1")).DELETE())
                            .statusCode());
            assertEquals(
                    404,
                    server.post("/models/m1/invoke", "application/json", null, "[1]".getBytes(UTF_8))
                            .statusCode());
            assertEquals(
                    "{\"models\": [{\"modelName\": \"m2\", \"modelUrl\": \"m2/model\"}]}",
                    server.get("/models").body());
        }
    }

    @Test
    void concurrentLoadsOfOneNameLoadOnce(@TempDir Path base) throws Exception {
        Files.createDirectories(base.resolve("models/m/model"));
        TestHandlers.Weights handler = new TestHandlers.Weights(ModelHandler.Concurrency.SHARED, false);
        try (TestServer server = TestServer.start(
                handler, Map.of("SAGEMAKER_MULTI_MODEL", "true", "SAGEMAKER_BASE_DIR", base.toString()))) {
            List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                calls.add(TestServer.client()
                        .sendAsync(
                                HttpRequest.newBuilder(server.uri("/models"))
                                        .header("Content-Type", "application/json")
                                        .POST(HttpRequest.BodyPublishers.ofString(
                                                "{\"model_name\": \"m\", \"url\": \"m/model\"}"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString()));
            }
            int ok = 0;
            int conflict = 0;
            for (CompletableFuture<HttpResponse<String>> call : calls) {
                int status = call.get(20, TimeUnit.SECONDS).statusCode();
                ok += status == 200 ? 1 : 0;
                conflict += status == 409 ? 1 : 0;
            }
            assertEquals(1, ok);
            assertEquals(7, conflict);
            assertEquals(1, handler.loads.get());
        }
    }

    @Test
    void outOfMemoryDuringLoadIs507(@TempDir Path base) throws Exception {
        Files.createDirectories(base.resolve("models/big/model"));
        ModelHandler<String> greedy = (modelDir, context) -> {
            throw new OutOfMemoryError("Java heap space");
        };
        try (TestServer server = TestServer.start(
                greedy, Map.of("SAGEMAKER_MULTI_MODEL", "true", "SAGEMAKER_BASE_DIR", base.toString()))) {
            assertEquals(507, load(server, "big", "big/model").statusCode());
            assertEquals("{\"models\": []}", server.get("/models").body());
        }
    }

    @Test
    void aModelMustBeAFolderInsideTheModelStoreLinksResolved(@TempDir Path base) throws Exception {
        Path outside = Files.createDirectories(base.resolve("elsewhere/model"));
        Files.createDirectories(base.resolve("models/real/model"));
        Files.createSymbolicLink(base.resolve("models/escape"), outside);
        Files.createSymbolicLink(base.resolve("models/inside"), base.resolve("models/real"));
        TestHandlers.Weights handler = new TestHandlers.Weights(ModelHandler.Concurrency.SHARED, false);
        try (TestServer server = TestServer.start(
                handler, Map.of("SAGEMAKER_MULTI_MODEL", "true", "SAGEMAKER_BASE_DIR", base.toString()))) {
            HttpResponse<String> escape =
                    load(server, "escape", base.resolve("models/escape").toString());
            assertEquals(404, escape.statusCode(), escape.body());
            assertTrue(escape.body().contains("a model must be a folder inside"), escape.body());
            assertEquals(404, load(server, "escape2", "escape").statusCode(), "relative, through the link");
            assertEquals(
                    404, load(server, "root", base.resolve("models").toString()).statusCode(), "the store itself");
            assertEquals(404, load(server, "root2", ".").statusCode(), "the store itself, relative");
            assertEquals(
                    404,
                    load(server, "root3", base.resolve("models").toString() + "/")
                            .statusCode());
            assertEquals(0, handler.loads.get(), "nothing was loaded");
            assertEquals(200, load(server, "inside", "inside/model").statusCode(), "a link that stays inside is fine");
            assertEquals(1, handler.loads.get());
        }
    }

    @Test
    void loadBodiesAreCappedAt64KiB(@TempDir Path base) throws Exception {
        Files.createDirectories(base.resolve("models/m/model"));
        TestHandlers.Weights handler = new TestHandlers.Weights(ModelHandler.Concurrency.SHARED, false);
        try (TestServer server = TestServer.start(
                handler, Map.of("SAGEMAKER_MULTI_MODEL", "true", "SAGEMAKER_BASE_DIR", base.toString()))) {
            String padding = " ".repeat(PayloadAggregator.LOAD_LIMIT);
            HttpResponse<String> declared = server.send(HttpRequest.newBuilder(server.uri("/models"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"model_name\": \"m\", \"url\": \"m/model\"}" + padding)));
            assertEquals(413, declared.statusCode(), declared.body());
            assertTrue(declared.body().contains("A model load request body is at most 65536 bytes"), declared.body());
            byte[] chunkedBody = ("{\"model_name\": \"m\", \"url\": \"m/model\"}" + padding).getBytes(UTF_8);
            HttpResponse<String> chunked = server.send(HttpRequest.newBuilder(server.uri("/models"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofInputStream(
                            () -> new java.io.ByteArrayInputStream(chunkedBody))));
            assertEquals(413, chunked.statusCode(), chunked.body());
            assertEquals(0, handler.loads.get());
            HttpResponse<String> fits = server.send(HttpRequest.newBuilder(server.uri("/models"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"model_name\": \"m\", \"url\": \"m/model\"}" + " ".repeat(60_000))));
            assertEquals(200, fits.statusCode(), fits.body());
            HttpResponse<String> invalid = server.send(HttpRequest.newBuilder(server.uri("/models"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model_name\": ")));
            assertEquals(400, invalid.statusCode(), "parsed on the management executor, answered as before");
            assertTrue(invalid.body().contains("Invalid load request body"), invalid.body());
            assertEquals(200, server.get("/ping").statusCode());
        }
    }
}
