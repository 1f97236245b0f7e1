package io.smcontainers.serving.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcontainers.serving.netty.testing.LeakRecorder;
import io.smcontainers.serving.netty.testing.RawHttp;
import io.smcontainers.serving.netty.testing.TestHandlers;
import io.smcontainers.serving.netty.testing.TestServer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Graceful shutdown: in-flight requests finish, new work is refused, the port closes, within the grace bound. */
class ShutdownIT {
    static {
        LeakRecorder.install();
    }

    @Test
    void drainsInFlightRequestsThenStops() throws Exception {
        TestHandlers.Actions handler = new TestHandlers.Actions();
        TestServer server = TestServer.start(handler, Map.of("SMC_SHUTDOWN_GRACE_SECONDS", "10"));
        int port = server.port();
        CompletableFuture<HttpResponse<String>> inFlight = TestServer.client()
                .sendAsync(
                        HttpRequest.newBuilder(server.uri("/invocations"))
                                .header("X-Test-Action", "sleep:1500")
                                .POST(HttpRequest.BodyPublishers.noBody())
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        while (handler.started.get() == 0) {
            Thread.sleep(10);
        }
        long start = System.nanoTime();
        CompletableFuture<Void> stopping = CompletableFuture.runAsync(server::close);
        HttpResponse<String> finished = inFlight.get(10, TimeUnit.SECONDS);
        assertEquals(200, finished.statusCode());
        assertEquals("slept", finished.body());
        assertEquals("close", finished.headers().firstValue("Connection").orElseThrow());
        stopping.get(15, TimeUnit.SECONDS);
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(took >= 1000 && took < 10_000, "drained in " + took + " ms");
        assertThrows(java.io.IOException.class, () -> new Socket("127.0.0.1", port).close(), "the listener is closed");
        assertEquals(List.of(), LeakRecorder.collectLeaks());
    }

    @Test
    void theDrainIsBoundedByTheGracePeriod() throws Exception {
        TestHandlers.Actions handler = new TestHandlers.Actions();
        TestServer server = TestServer.start(
                handler, Map.of("SMC_SHUTDOWN_GRACE_SECONDS", "1", "SAGEMAKER_MODEL_SERVER_TIMEOUT", "60"));
        TestServer.client()
                .sendAsync(
                        HttpRequest.newBuilder(server.uri("/invocations"))
                                .header("X-Test-Action", "hang")
                                .POST(HttpRequest.BodyPublishers.noBody())
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        while (handler.started.get() == 0) {
            Thread.sleep(10);
        }
        long start = System.nanoTime();
        server.close();
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        handler.release.countDown();
        assertTrue(took < 8000, "stopped in " + took + " ms despite a hung handler");
    }

    @Test
    void aLargeAnswerBeingWrittenIsFlushedWholeBeforeItsConnectionCloses() throws Exception {
        int size = 64 * 1024 * 1024;
        Set<Thread> before = inferenceThreads();
        TestServer server = TestServer.start(new TestHandlers.Actions(), Map.of("SMC_SHUTDOWN_GRACE_SECONDS", "20"));
        Set<Thread> ours = inferenceThreads();
        ours.removeAll(before);
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(64 * 1024);
            socket.setSoTimeout(30_000);
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()));
            socket.getOutputStream()
                    .write(("POST /invocations HTTP/1.1\r\nHost: x\r\nX-Test-Action: big:" + size
                                    + "\r\nContent-Length: 0\r\n\r\n")
                            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            // the answer is written and mostly waiting in the server's outbound buffer: the client has not read yet
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (server.server().pendingOutboundBytes() < size / 2 && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            assertTrue(
                    server.server().pendingOutboundBytes() >= size / 2,
                    "pending " + server.server().pendingOutboundBytes());
            CompletableFuture<Void> stopping = CompletableFuture.runAsync(server::close);
            // the drain has passed the point where it used to close every connection: the inference workers are gone
            until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (ours.stream().anyMatch(Thread::isAlive) && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            assertTrue(ours.stream().noneMatch(Thread::isAlive), "the inference workers stopped");
            RawHttp http = new RawHttp(socket.getInputStream());
            RawHttp.Response answer = http.next(false);
            assertEquals(200, answer.status());
            assertEquals(Integer.toString(size), answer.header("x-test-body-bytes-read"), "the whole answer arrived");
            assertTrue(http.closed(), "then the connection is closed");
            stopping.get(30, TimeUnit.SECONDS);
        }
        assertEquals(List.of(), LeakRecorder.collectLeaks());
    }

    @Test
    void invocationsStillQueuedAtTheDrainDeadlineGet503AndClose() throws Exception {
        TestHandlers.Actions handler = new TestHandlers.Actions();
        TestServer server = TestServer.start(
                handler,
                Map.of(
                        "SMC_SHUTDOWN_GRACE_SECONDS",
                        "1",
                        "SAGEMAKER_MODEL_SERVER_WORKERS",
                        "1",
                        "SAGEMAKER_MODEL_SERVER_TIMEOUT",
                        "60"));
        try {
            TestServer.client()
                    .sendAsync(
                            HttpRequest.newBuilder(server.uri("/invocations"))
                                    .header("X-Test-Action", "hang")
                                    .POST(HttpRequest.BodyPublishers.noBody())
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            while (handler.started.get() == 0) {
                Thread.sleep(10);
            }
            CompletableFuture<HttpResponse<String>> queued = TestServer.client()
                    .sendAsync(
                            HttpRequest.newBuilder(server.uri("/invocations"))
                                    .header("X-Test-Action", "echo")
                                    .POST(HttpRequest.BodyPublishers.ofString("never run"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (server.server().queuedInvocations() == 0 && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            assertEquals(1, server.server().queuedInvocations());
            server.close();
            HttpResponse<String> refused = queued.get(10, TimeUnit.SECONDS);
            assertEquals(503, refused.statusCode());
            assertTrue(refused.body().startsWith("{\"code\": 503, \"type\": \"ServerDraining\""), refused.body());
            assertEquals("close", refused.headers().firstValue("Connection").orElseThrow());
            assertEquals(1, handler.started.get(), "the queued invocation never ran");
        } finally {
            handler.release.countDown();
        }
        assertEquals(List.of(), LeakRecorder.collectLeaks());
    }

    private static Set<Thread> inferenceThreads() {
        Set<Thread> threads = new HashSet<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().startsWith("smc-inference-") && thread.isAlive()) {
                threads.add(thread);
            }
        }
        return threads;
    }
}
