package io.smcontainers.serving.netty;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcontainers.framework.spi.InvocationContext;
import io.smcontainers.framework.spi.InvocationResponse;
import io.smcontainers.framework.spi.ModelHandler;
import io.smcontainers.framework.spi.NdArray;
import io.smcontainers.framework.spi.Payload;
import io.smcontainers.framework.spi.ServingContext;
import io.smcontainers.serving.netty.codec.NpyCodec;
import io.smcontainers.serving.netty.testing.LeakRecorder;
import io.smcontainers.serving.netty.testing.TestHandlers;
import io.smcontainers.serving.netty.testing.TestServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The hosting contract over real sockets with java.net.http.HttpClient. */
class ContractIT {
    static {
        LeakRecorder.install();
    }

    private static final String FORMAT_TAIL = " is not supported by this framework.\\n\\n"
            + "            Please implement input_fn to to deserialize the request data or an output_fn to\\n"
            + "            serialize the response. For more information, see the SageMaker Python SDK README.";

    private static TestHandlers.Weights weights;
    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        weights = new TestHandlers.Weights(ModelHandler.Concurrency.PER_WORKER, false);
        server = TestServer.start(weights, Map.of("SAGEMAKER_MODEL_SERVER_WORKERS", "3"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @AfterEach
    void noLeaks() {
        assertEquals(List.of(), LeakRecorder.collectLeaks());
    }

    @Test
    void pingIsAnEmpty200WithJsonContentType() throws Exception {
        for (int i = 0; i < 9; i++) {
            HttpResponse<String> ping = server.get("/ping");
            assertEquals(200, ping.statusCode());
            assertEquals("", ping.body());
            assertEquals(
                    "application/json",
                    ping.headers().firstValue("Content-Type").orElseThrow());
            assertTrue(ping.headers().firstValue("x-request-id").isPresent());
        }
    }

    @Test
    void headPingHasTheStatusAndNoBody() throws Exception {
        HttpResponse<String> head = server.send(
                HttpRequest.newBuilder(server.uri("/ping")).method("HEAD", HttpRequest.BodyPublishers.noBody()));
        assertEquals(200, head.statusCode());
        assertEquals("", head.body());
    }

    @Test
    void wrongMethodsAre405WithAllow() throws Exception {
        HttpResponse<String> postPing = server.post("/ping", null, null, new byte[0]);
        assertEquals(405, postPing.statusCode());
        assertEquals("GET, HEAD", postPing.headers().firstValue("Allow").orElseThrow());
        HttpResponse<String> getInvocations = server.get("/invocations");
        assertEquals(405, getInvocations.statusCode());
        assertEquals("POST", getInvocations.headers().firstValue("Allow").orElseThrow());
        assertTrue(getInvocations.body().contains("\"code\": 405"), getInvocations.body());
    }

    @Test
    void unknownRoutesAre404JsonErrors() throws Exception {
        for (String path : List.of("/", "/pingx", "/invocations/extra", "/models")) {
            HttpResponse<String> response = server.get(path);
            assertEquals(404, response.statusCode(), path);
            assertEquals(
                    "application/json",
                    response.headers().firstValue("Content-Type").orElseThrow());
            assertTrue(
                    response.body()
                            .startsWith(
                                    "{\"code\": 404, \"type\": \"ResourceNotFoundException\", "
                                            + "\"message\": \"Requested resource is not found, please refer to API document.\""),
                    response.body());
        }
        assertEquals(200, server.get("/ping?x=1").statusCode(), "query strings are ignored by routing");
        assertEquals(200, server.get("/ping/").statusCode(), "one trailing slash is tolerated");
    }

    @Test
    void executionParametersAre404WithoutAProvider() throws Exception {
        assertEquals(404, server.get("/execution-parameters").statusCode());
    }

    @Test
    void jsonInCsvOut() throws Exception {
        HttpResponse<String> response =
                server.post("/invocations", "application/json", "text/csv", "[6, 9, 42.0]".getBytes(UTF_8));
        assertEquals(200, response.statusCode());
        assertEquals(
                "text/csv; charset=utf-8",
                response.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("36.0\n81.0\n1764.0\n", response.body());
    }

    @Test
    void acceptDefaultsToJson() throws Exception {
        for (String accept : new String[] {null, "*/*", ""}) {
            HttpRequest.Builder request = HttpRequest.newBuilder(server.uri("/invocations"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("[6, 9, 42.0]"));
            if (accept != null && !accept.isEmpty()) {
                request.header("Accept", accept);
            }
            HttpResponse<String> response = server.send(request);
            assertEquals(200, response.statusCode());
            assertEquals(
                    "application/json",
                    response.headers().firstValue("Content-Type").orElseThrow());
            assertEquals("[36.0, 81.0, 1764.0]", response.body());
        }
    }

    @Test
    void missingContentTypeIsJson() throws Exception {
        HttpResponse<String> response = server.post("/invocations", null, null, "[1, 1, 1]".getBytes(UTF_8));
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("[6.0, 9.0, 42.0]", response.body());
    }

    @Test
    void npyInJsonOutAndCsvInNpyOut() throws Exception {
        byte[] npy = NpyCodec.encode(NdArray.vector(6, 9, 42));
        HttpResponse<String> json = server.post("/invocations", "application/x-npy", "application/json", npy);
        assertEquals("[36.0, 81.0, 1764.0]", json.body());
        HttpResponse<byte[]> out = server.sendBytes(HttpRequest.newBuilder(server.uri("/invocations"))
                .header("Content-Type", "text/csv")
                .header("Accept", "application/x-npy")
                .POST(HttpRequest.BodyPublishers.ofString("6\n9\n42\n")));
        assertEquals(200, out.statusCode());
        assertEquals(
                "application/x-npy", out.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(NdArray.vector(36, 81, 1764), NpyCodec.decode(out.body()));
    }

    @Test
    void mediaTypesMatchIgnoringCaseParametersAndQValues() throws Exception {
        HttpResponse<String> response = server.post(
                "/invocations",
                "Application/JSON; charset=utf-8",
                "application/x-npy;q=0.2, fake/type, text/csv;q=0.9",
                "[1, 1, 1]".getBytes(UTF_8));
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("6.0\n9.0\n42.0\n", response.body());
        HttpResponse<String> wildcard =
                server.post("/invocations", "text/csv; charset=utf-8", "text/*", "1\n1\n1\n".getBytes(UTF_8));
        assertEquals("6.0\n9.0\n42.0\n", wildcard.body());
    }

    @Test
    void legacyContentTypeHeaderWins() throws Exception {
        HttpResponse<String> response = server.send(HttpRequest.newBuilder(server.uri("/invocations"))
                .header("ContentType", "text/csv")
                .header("Content-Type", "fake/type")
                .POST(HttpRequest.BodyPublishers.ofString("1\n1\n1\n")));
        assertEquals(200, response.statusCode(), response.body());
    }

    @Test
    void unsupportedContentTypeIs415WithTheReferenceBody() throws Exception {
        HttpResponse<String> response = server.post("/invocations", "fake/content-type", null, "x".getBytes(UTF_8));
        assertEquals(415, response.statusCode());
        assertEquals(
                "application/json",
                response.headers().firstValue("Content-Type").orElseThrow());
        String message = "Content type fake/content-type" + FORMAT_TAIL;
        assertTrue(
                response.body()
                        .startsWith("{\"code\": 415, \"type\": \"UnsupportedFormatError\", \"message\": \"" + message
                                + "\", \"error\": \"UnsupportedFormatError\", \"error-message\": \"" + message
                                + "\", \"stack-trace\": \""),
                response.body());
        assertEquals(200, server.get("/ping").statusCode());
    }

    @Test
    void unsupportedAcceptIs406() throws Exception {
        HttpResponse<String> response =
                server.post("/invocations", "application/json", "fake/content-type", "[1]".getBytes(UTF_8));
        assertEquals(406, response.statusCode());
        assertTrue(
                response.body().contains("\"error-message\": \"Content type fake/content-type" + FORMAT_TAIL),
                response.body());
    }

    @Test
    void malformedBodiesAre400() throws Exception {
        Map<String, String> bodies =
                Map.of("application/json", "[1, 2", "text/csv", "\"unterminated\n", "application/x-npy", "not npy");
        for (Map.Entry<String, String> body : bodies.entrySet()) {
            HttpResponse<String> response = server.post(
                    "/invocations", body.getKey(), null, body.getValue().getBytes(UTF_8));
            assertEquals(400, response.statusCode(), body.getKey());
            assertTrue(response.body().contains("Error while decoding"), response.body());
        }
        assertEquals(
                400,
                server.post("/invocations", "application/json", null, new byte[0])
                        .statusCode(),
                "empty JSON body");
    }

    @Test
    void requestIdComesFromTheInferenceIdHeader() throws Exception {
        HttpResponse<String> response = server.send(HttpRequest.newBuilder(server.uri("/invocations"))
                .header("X-Amzn-SageMaker-Inference-Id", "abc-123")
                .POST(HttpRequest.BodyPublishers.ofString("[1]")));
        assertEquals("abc-123", response.headers().firstValue("x-request-id").orElseThrow());
    }

    @Test
    void modelIsLoadedOncePerWorkerEagerly() throws Exception {
        assertEquals(3, weights.loads.get());
        for (int i = 0; i < 10; i++) {
            assertEquals(
                    200,
                    server.post("/invocations", "application/json", null, "[1]".getBytes(UTF_8))
                            .statusCode());
        }
        assertEquals(3, weights.loads.get(), "no lazy loading on the request path");
    }

    @Test
    void sharedHandlersLoadOnceAndBuiltInExecutionParameters() throws Exception {
        TestHandlers.Weights shared = new TestHandlers.Weights(ModelHandler.Concurrency.SHARED, true);
        try (TestServer other = TestServer.start(shared, Map.of("SAGEMAKER_MODEL_SERVER_WORKERS", "8"))) {
            assertEquals(1, shared.loads.get());
            HttpResponse<String> parameters = other.get("/execution-parameters");
            assertEquals(200, parameters.statusCode());
            assertEquals(
                    "application/json",
                    parameters.headers().firstValue("Content-Type").orElseThrow());
            assertEquals(
                    "{\"MaxConcurrentTransforms\": 8, \"BatchStrategy\": \"MULTI_RECORD\", \"MaxPayloadInMB\": 6}",
                    parameters.body());
        }
    }

    @Test
    void pingIs503WhileTheModelLoadsThen200() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        ModelHandler<String> slow = new ModelHandler<>() {
            @Override
            public String loadModel(Path modelDir, ServingContext context) throws Exception {
                release.await(30, TimeUnit.SECONDS);
                return "m";
            }
        };
        TestServer loading = TestServer.startLoading(slow, Map.of());
        try {
            HttpResponse<String> ping = loading.get("/ping");
            assertEquals(503, ping.statusCode());
            assertTrue(ping.body().contains("\"type\": \"ModelLoading\""), ping.body());
            assertEquals(
                    503,
                    loading.post("/invocations", null, null, "[1]".getBytes(UTF_8))
                            .statusCode());
            release.countDown();
            loading.server().ready().get(10, TimeUnit.SECONDS);
            assertEquals(200, loading.get("/ping").statusCode());
        } finally {
            release.countDown();
            loading.close();
        }
    }

    @Test
    void failedLoadKeepsPing503AndFailsReady() throws Exception {
        ModelHandler<String> broken = (modelDir, context) -> {
            throw new java.io.FileNotFoundException(modelDir + "/model.bin");
        };
        TestServer failing = TestServer.startLoading(broken, Map.of());
        try {
            assertThrows(
                    java.util.concurrent.ExecutionException.class,
                    () -> failing.server().ready().get(10, TimeUnit.SECONDS));
            assertEquals(503, failing.get("/ping").statusCode());
        } finally {
            failing.close();
        }
    }

    @Test
    void transformWithPredictIsRejectedAtStartUp() {
        ModelHandler<String> both = new ModelHandler<>() {
            @Override
            public String loadModel(Path modelDir, ServingContext context) {
                return "m";
            }

            @Override
            public Object predict(Object data, String model, InvocationContext context) {
                return data;
            }

            @Override
            public InvocationResponse transform(
                    String model, Payload body, String contentType, String accept, InvocationContext context) {
                return InvocationResponse.of(body.bytes(), contentType);
            }
        };
        IllegalStateException error =
                assertThrows(IllegalStateException.class, () -> TestServer.startLoading(both, Map.of()));
        assertTrue(error.getMessage()
                .startsWith("Cannot use transform_fn implementation with input_fn, predict_fn, and/or output_fn"));
    }

    @Test
    void defaultPredictIs500() throws Exception {
        ModelHandler<String> loadOnly = (modelDir, context) -> "m";
        try (TestServer other = TestServer.start(loadOnly, Map.of())) {
            HttpResponse<String> response = other.post("/invocations", "application/json", null, "[1]".getBytes(UTF_8));
            assertEquals(500, response.statusCode());
            assertTrue(response.body().contains("Please provide a predict_fn implementation"), response.body());
            assertEquals(200, other.get("/ping").statusCode());
        }
    }

    @Test
    void keepAliveSurvivesApplicationErrors() throws Exception {
        HttpResponse<String> error = server.post("/invocations", "fake/type", null, "x".getBytes(UTF_8));
        assertEquals("keep-alive", error.headers().firstValue("Connection").orElseThrow());
        assertFalse(error.headers().firstValue("Connection").orElseThrow().contains("close"));
    }
}
