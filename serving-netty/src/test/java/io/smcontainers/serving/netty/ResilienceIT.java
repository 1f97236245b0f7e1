package io.smcontainers.serving.netty;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcontainers.serving.netty.testing.LeakRecorder;
import io.smcontainers.serving.netty.testing.TestHandlers;
import io.smcontainers.serving.netty.testing.TestServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Handler failures, limits, overload and timeouts: the documented status each time, and the server stays up. */
class ResilienceIT {
    static {
        LeakRecorder.install();
    }

    @AfterEach
    void noLeaks() {
        assertEquals(List.of(), LeakRecorder.collectLeaks());
    }

    private static HttpResponse<String> act(TestServer server, String action, byte[] body) throws Exception {
        return server.send(HttpRequest.newBuilder(server.uri("/invocations"))
                .header("X-Test-Action", action)
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    @Test
    void handlerFailuresMapToTheirStatusesAndKeepTheConnection() throws Exception {
        try (TestServer server = TestServer.start(new TestHandlers.Actions(), Map.of())) {
            HttpResponse<String> thrown = act(server, "throw", new byte[0]);
            assertEquals(500, thrown.statusCode());
            assertTrue(
                    thrown.body()
                            .startsWith(
                                    "{\"code\": 500, \"type\": \"IllegalStateException\", \"message\": \"handler failure on purpose\""),
                    thrown.body());
            assertTrue(thrown.body().contains("\"stack-trace\": \"java.lang.IllegalStateException"), thrown.body());
            assertEquals("keep-alive", thrown.headers().firstValue("Connection").orElseThrow());
            HttpResponse<String> unserializable = server.send(HttpRequest.newBuilder(server.uri("/invocations"))
                    .header("X-Test-Action", "unserializable")
                    .header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.noBody()));
            assertEquals(500, unserializable.statusCode());
            assertTrue(
                    unserializable
                            .body()
                            .contains(
                                    "\"type\": \"TypeError\", \"message\": \"Object of type Object is not JSON serializable\""),
                    unserializable.body());
            assertEquals(507, act(server, "oom", new byte[0]).statusCode());
            assertEquals(500, act(server, "null", new byte[0]).statusCode());
            HttpResponse<String> chosen = act(server, "status:418", new byte[0]);
            assertEquals(418, chosen.statusCode());
            assertTrue(chosen.body().contains("\"message\": \"chosen status\""), chosen.body());
            assertEquals(200, server.get("/ping").statusCode());
        }
    }

    @Test
    void handlersSetStatusReasonAndCustomAttributes() throws Exception {
        try (TestServer server = TestServer.start(new TestHandlers.Actions(), Map.of())) {
            HttpResponse<String> response = server.send(HttpRequest.newBuilder(server.uri("/invocations"))
                    .header("X-Test-Action", "attributes")
                    .header("X-Amzn-SageMaker-Custom-Attributes", "a=1; b = two ;c")
                    .POST(HttpRequest.BodyPublishers.noBody()));
            assertEquals(201, response.statusCode());
            assertEquals("{a=1, b=two, c=}", response.body());
            assertEquals(
                    "a=1; b = two ;c",
                    response.headers()
                            .firstValue("X-Amzn-SageMaker-Custom-Attributes")
                            .orElseThrow());
        }
    }

    @Test
    void echoReturnsTheExactBytesThroughEveryBodyApi() throws Exception {
        try (TestServer server = TestServer.start(new TestHandlers.Actions(), Map.of())) {
            java.util.Random random = new java.util.Random(7);
            for (int size : new int[] {0, 100, 100_000, 300_000}) {
                byte[] body = new byte[size];
                random.nextBytes(body);
                for (String action : List.of("echo", "echo-payload", "echo-buffer")) {
                    HttpResponse<byte[]> response = server.sendBytes(HttpRequest.newBuilder(server.uri("/invocations"))
                            .header("X-Test-Action", action)
                            .header("Content-Type", "application/octet-stream")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
                    assertEquals(200, response.statusCode(), action + " " + size);
                    assertEquals(
                            "application/octet-stream",
                            response.headers().firstValue("Content-Type").orElseThrow());
                    assertEquals(
                            Long.toString(size),
                            response.headers().firstValue("Content-Length").orElseThrow(),
                            action + " " + size);
                    org.junit.jupiter.api.Assertions.assertArrayEquals(body, response.body(), action + " " + size);
                    // chunked: the body arrives in many parts, which the aggregator merges into one buffer
                    HttpResponse<byte[]> chunked = server.sendBytes(HttpRequest.newBuilder(server.uri("/invocations"))
                            .header("X-Test-Action", action)
                            .header("Content-Type", "application/octet-stream")
                            .POST(HttpRequest.BodyPublishers.ofInputStream(
                                    () -> new java.io.ByteArrayInputStream(body))));
                    assertEquals(200, chunked.statusCode(), action + " chunked " + size);
                    org.junit.jupiter.api.Assertions.assertArrayEquals(
                            body, chunked.body(), action + " chunked " + size);
                }
            }
        }
    }

    @Test
    void aViewOfTheBodyAnsweredAfterTheTimeoutIsDroppedWithoutLeaking() throws Exception {
        try (TestServer server = TestServer.start(
                new TestHandlers.Actions(),
                Map.of("SAGEMAKER_MODEL_SERVER_WORKERS", "1", "SAGEMAKER_MODEL_SERVER_TIMEOUT", "1"))) {
            byte[] body = new byte[50_000];
            new java.util.Random(11).nextBytes(body);
            HttpResponse<String> late = act(server, "echo-late:1500", body);
            assertEquals(504, late.statusCode());
            HttpResponse<byte[]> next = server.sendBytes(HttpRequest.newBuilder(server.uri("/invocations"))
                    .header("X-Test-Action", "echo-payload")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
            assertEquals(200, next.statusCode(), "the worker is free again once the late handler returned");
            org.junit.jupiter.api.Assertions.assertArrayEquals(body, next.body());
        }
    }

    @Test
    void bodiesOverTheLimitAre413AndTheServerKeepsServing() throws Exception {
        try (TestServer server =
                TestServer.start(new TestHandlers.Actions(), Map.of("SAGEMAKER_MAX_PAYLOAD_IN_MB", "1"))) {
            int limit = 1024 * 1024;
            assertEquals(200, act(server, "echo", new byte[limit]).statusCode(), "exactly the limit is accepted");
            HttpResponse<String> justOver = act(server, "echo", new byte[limit + 1]);
            assertEquals(413, justOver.statusCode());
            assertTrue(justOver.body().contains("\"type\": \"RequestEntityTooLarge\""), justOver.body());
            assertEquals(413, act(server, "echo", new byte[limit * 10]).statusCode());
            HttpResponse<String> chunked = server.send(HttpRequest.newBuilder(server.uri("/invocations"))
                    .header("X-Test-Action", "echo")
                    .POST(HttpRequest.BodyPublishers.ofInputStream(
                            () -> new java.io.ByteArrayInputStream(new byte[limit * 2]))));
            assertEquals(413, chunked.statusCode());
            assertEquals(200, server.get("/ping").statusCode());
            assertEquals(200, act(server, "echo", new byte[10]).statusCode());
        }
    }

    @Test
    void aFullQueueAnswers503Immediately() throws Exception {
        TestHandlers.Actions handler = new TestHandlers.Actions();
        try (TestServer server =
                TestServer.start(handler, Map.of("SAGEMAKER_MODEL_SERVER_WORKERS", "1", "SMC_JOB_QUEUE_SIZE", "1"))) {
            List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                calls.add(TestServer.client()
                        .sendAsync(
                                HttpRequest.newBuilder(server.uri("/invocations"))
                                        .header("X-Test-Action", "sleep:1500")
                                        .POST(HttpRequest.BodyPublishers.noBody())
                                        .build(),
                                HttpResponse.BodyHandlers.ofString()));
                Thread.sleep(150);
            }
            long start = System.nanoTime();
            HttpResponse<String> ping = server.get("/ping");
            assertEquals(200, ping.statusCode());
            assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 500, "ping waits behind nothing");
            List<Integer> statuses = new ArrayList<>();
            for (CompletableFuture<HttpResponse<String>> call : calls) {
                HttpResponse<String> response = call.get(20, TimeUnit.SECONDS);
                statuses.add(response.statusCode());
                if (response.statusCode() == 503) {
                    assertTrue(response.body().contains("SMC_JOB_QUEUE_SIZE"), response.body());
                }
            }
            assertEquals(2, statuses.stream().filter(status -> status == 200).count(), statuses.toString());
            assertEquals(2, statuses.stream().filter(status -> status == 503).count(), statuses.toString());
        }
    }

    @Test
    void slowHandlersAre504AndAHungWorkerIsReplaced() throws Exception {
        TestHandlers.Actions handler = new TestHandlers.Actions();
        try (TestServer server = TestServer.start(
                handler, Map.of("SAGEMAKER_MODEL_SERVER_WORKERS", "1", "SAGEMAKER_MODEL_SERVER_TIMEOUT", "1"))) {
            HttpResponse<String> interrupted = act(server, "sleep:5000", new byte[0]);
            assertEquals(504, interrupted.statusCode());
            assertTrue(interrupted.body().contains("\"type\": \"InvocationTimeout\""), interrupted.body());
            assertEquals(
                    200,
                    act(server, "echo", "ok".getBytes(UTF_8)).statusCode(),
                    "an interrupted handler frees its worker");
            HttpResponse<String> hung = act(server, "hang", new byte[0]);
            assertEquals(504, hung.statusCode());
            assertEquals(200, server.get("/ping").statusCode());
            Thread.sleep(2500);
            HttpResponse<String> after = act(server, "echo", "again".getBytes(UTF_8));
            assertEquals(200, after.statusCode(), "the hung worker was retired and replaced");
            assertEquals("again", after.body());
            handler.release.countDown();
        }
    }

    @Test
    void aJobStillQueuedAtItsDeadlineIs504AndNeverRuns() throws Exception {
        TestHandlers.Actions handler = new TestHandlers.Actions();
        try (TestServer server = TestServer.start(
                handler, Map.of("SAGEMAKER_MODEL_SERVER_WORKERS", "1", "SAGEMAKER_MODEL_SERVER_TIMEOUT", "1"))) {
            CompletableFuture<HttpResponse<String>> hung = TestServer.client()
                    .sendAsync(
                            HttpRequest.newBuilder(server.uri("/invocations"))
                                    .header("X-Test-Action", "hang")
                                    .POST(HttpRequest.BodyPublishers.noBody())
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            while (handler.started.get() == 0) {
                Thread.sleep(5);
            }
            long start = System.nanoTime();
            HttpResponse<String> queued = act(server, "echo-payload", new byte[1000]);
            long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(504, queued.statusCode());
            assertTrue(queued.body().contains("\"type\": \"InvocationTimeout\""), queued.body());
            assertTrue(
                    waitedMillis >= 900 && waitedMillis < 3000,
                    "answered at the deadline, after " + waitedMillis + " ms");
            assertEquals(504, hung.get(10, TimeUnit.SECONDS).statusCode());
            handler.release.countDown();
            Thread.sleep(200);
            assertEquals(1, handler.started.get(), "the queued job never reached the handler");
            HttpResponse<String> after = act(server, "echo", "next".getBytes(UTF_8));
            assertEquals(200, after.statusCode());
            assertEquals("next", after.body());
        }
    }
}
