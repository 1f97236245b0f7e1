package io.smcontainers.serving.netty;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcontainers.framework.spi.InvocationContext;
import io.smcontainers.framework.spi.InvocationException;
import io.smcontainers.framework.spi.InvocationResponse;
import io.smcontainers.framework.spi.ModelHandler;
import io.smcontainers.framework.spi.Payload;
import io.smcontainers.framework.spi.ServingContext;
import io.smcontainers.serving.netty.testing.LeakRecorder;
import io.smcontainers.serving.netty.testing.TestServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The asynchronous handler form ({@code transformAsync}) and non-blocking handlers run inline on the event loop: where
 * each runs, answers from stages completed later on other threads, failed and null stages, and the deadline of a stage
 * that never completes.
 */
class AsyncHandlerIT {
    static {
        LeakRecorder.install();
    }

    private static final ExecutorService LATER = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "test-later");
        thread.setDaemon(true);
        return thread;
    });

    @AfterEach
    void noLeaks() {
        assertEquals(List.of(), LeakRecorder.collectLeaks());
    }

    @AfterAll
    static void stopExecutor() {
        LATER.shutdownNow();
    }

    /**
     * Answers per {@code X-Test-Action}: {@code now} (completed stage), {@code later} (completed on another thread),
     * {@code status:N} (failed with an InvocationException), {@code throw} (thrown by the call), {@code fail-later}
     * (a RuntimeException on another thread), {@code null-stage}, {@code null-response}, {@code never} (stays pending;
     * the stage is put on {@link #neverCompleted}). The body is the request body; {@code X-Thread} names the thread that
     * called {@code transformAsync}.
     */
    static class Async implements ModelHandler<String> {
        final LinkedBlockingQueue<CompletableFuture<InvocationResponse>> neverCompleted = new LinkedBlockingQueue<>();
        private final Execution execution;
        private final Concurrency concurrency;

        Async(Execution execution, Concurrency concurrency) {
            this.execution = execution;
            this.concurrency = concurrency;
        }

        @Override
        public String loadModel(Path modelDir, ServingContext context) {
            return "model";
        }

        @Override
        public Execution execution() {
            return execution;
        }

        @Override
        public Concurrency concurrency() {
            return concurrency;
        }

        @Override
        public CompletionStage<InvocationResponse> transformAsync(
                String model, Payload body, String contentType, String accept, InvocationContext context) {
            String thread = Thread.currentThread().getName();
            String action = context.header("X-Test-Action").orElse("now");
            switch (action) {
                case "later":
                    byte[] copy = body.bytes().clone();
                    return CompletableFuture.supplyAsync(() -> answer(copy, thread), LATER);
                case "fail-later":
                    return CompletableFuture.supplyAsync(
                            () -> {
                                throw new IllegalStateException("failed later on purpose");
                            },
                            LATER);
                case "throw":
                    throw new IllegalArgumentException("thrown on purpose");
                case "null-stage":
                    return null;
                case "null-response":
                    return CompletableFuture.completedFuture(null);
                case "never":
                    CompletableFuture<InvocationResponse> never = new CompletableFuture<>();
                    neverCompleted.add(never);
                    return never;
                default:
                    if (action.startsWith("status:")) {
                        return CompletableFuture.failedFuture(
                                new InvocationException(Integer.parseInt(action.substring(7)), "chosen status"));
                    }
                    return CompletableFuture.completedFuture(InvocationResponse.of(body, "application/octet-stream")
                            .withHeader("X-Thread", thread));
            }
        }

        private static InvocationResponse answer(byte[] body, String thread) {
            return InvocationResponse.of(body, "application/octet-stream").withHeader("X-Thread", thread);
        }
    }

    private static HttpResponse<String> act(TestServer server, String action, String body) throws Exception {
        return server.send(HttpRequest.newBuilder(server.uri("/invocations"))
                .header("X-Test-Action", action)
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body, UTF_8)));
    }

    private static String thread(HttpResponse<String> response) {
        return response.headers().firstValue("X-Thread").orElseThrow();
    }

    @Test
    void nonBlockingHandlersRunOnTheEventLoopAndAnswerFromAnyThread() throws Exception {
        Async handler = new Async(ModelHandler.Execution.NON_BLOCKING, ModelHandler.Concurrency.SHARED);
        try (TestServer server = TestServer.start(handler, Map.of())) {
            HttpResponse<String> now = act(server, "now", "inline body");
            assertEquals(200, now.statusCode());
            assertEquals("inline body", now.body());
            assertTrue(thread(now).contains("EventLoop"), thread(now));
            HttpResponse<String> later = act(server, "later", "later body");
            assertEquals(200, later.statusCode());
            assertEquals("later body", later.body());
            assertTrue(thread(later).contains("EventLoop"), thread(later));
            assertEquals(418, act(server, "status:418", "").statusCode());
            HttpResponse<String> thrown = act(server, "throw", "");
            assertEquals(500, thrown.statusCode());
            assertTrue(
                    thrown.body()
                            .contains("\"type\": \"IllegalArgumentException\", \"message\": \"thrown on purpose\""),
                    thrown.body());
            HttpResponse<String> failedLater = act(server, "fail-later", "");
            assertEquals(500, failedLater.statusCode());
            assertTrue(
                    failedLater
                            .body()
                            .contains("\"type\": \"IllegalStateException\", \"message\": \"failed later on purpose\""),
                    failedLater.body());
            assertEquals(500, act(server, "null-stage", "").statusCode());
            HttpResponse<String> nullResponse = act(server, "null-response", "");
            assertEquals(500, nullResponse.statusCode());
            assertTrue(nullResponse.body().contains("returned no response (null)"), nullResponse.body());
            assertEquals(
                    "keep-alive",
                    nullResponse.headers().firstValue("Connection").orElseThrow());
        }
    }

    @Test
    void blockingHandlersCallTransformAsyncOnAWorker() throws Exception {
        Async handler = new Async(ModelHandler.Execution.BLOCKING, ModelHandler.Concurrency.PER_WORKER);
        try (TestServer server = TestServer.start(handler, Map.of())) {
            HttpResponse<String> now = act(server, "now", "worker body");
            assertEquals(200, now.statusCode());
            assertEquals("worker body", now.body());
            assertTrue(thread(now).startsWith("smc-inference-"), thread(now));
            HttpResponse<String> later = act(server, "later", "answered later");
            assertEquals(200, later.statusCode());
            assertEquals("answered later", later.body());
            assertTrue(thread(later).startsWith("smc-inference-"), thread(later));
        }
    }

    @Test
    void aStageThatNeverCompletesIsAnswered504AndCancelledAtTheDeadline() throws Exception {
        Async handler = new Async(ModelHandler.Execution.NON_BLOCKING, ModelHandler.Concurrency.PER_WORKER);
        try (TestServer server = TestServer.start(
                handler, Map.of("SAGEMAKER_MODEL_SERVER_WORKERS", "1", "SAGEMAKER_MODEL_SERVER_TIMEOUT", "1"))) {
            HttpResponse<String> timedOut = act(server, "never", "");
            assertEquals(504, timedOut.statusCode());
            assertTrue(timedOut.body().contains("\"type\": \"InvocationTimeout\""), timedOut.body());
            CompletableFuture<InvocationResponse> stage = handler.neverCompleted.poll(30, TimeUnit.SECONDS);
            assertTrue(stage.isCancelled());
            // the one model instance came back when the stage was cancelled: the next invocation runs inline again
            HttpResponse<String> next = act(server, "now", "after");
            assertEquals(200, next.statusCode());
            assertTrue(thread(next).contains("EventLoop"), thread(next));
        }
    }

    @Test
    void aNonBlockingInvocationWithNoFreeInstanceWaitsForOneOnAWorker() throws Exception {
        Async handler = new Async(ModelHandler.Execution.NON_BLOCKING, ModelHandler.Concurrency.PER_WORKER);
        try (TestServer server = TestServer.start(handler, Map.of("SAGEMAKER_MODEL_SERVER_WORKERS", "1"))) {
            CompletableFuture<HttpResponse<String>> holding = CompletableFuture.supplyAsync(
                    () -> {
                        try {
                            return act(server, "never", "");
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    },
                    LATER);
            CompletableFuture<InvocationResponse> held = handler.neverCompleted.poll(30, TimeUnit.SECONDS);
            CompletableFuture<HttpResponse<String>> waiting = CompletableFuture.supplyAsync(
                    () -> {
                        try {
                            return act(server, "now", "queued");
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    },
                    LATER);
            // the second waits on a worker for the instance the first holds (one pending stage, one running job)
            while (server.server().busyInvocations() < 2 && !waiting.isDone()) {
                Thread.onSpinWait();
            }
            held.complete(InvocationResponse.of("first".getBytes(UTF_8), "text/plain"));
            assertEquals("first", holding.get(30, TimeUnit.SECONDS).body());
            HttpResponse<String> second = waiting.get(30, TimeUnit.SECONDS);
            assertEquals(200, second.statusCode());
            assertEquals("queued", second.body());
            assertTrue(thread(second).startsWith("smc-inference-"), thread(second));
        }
    }
}
