package io.smcontainers.serving.netty;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcontainers.framework.spi.HealthCheck;
import io.smcontainers.framework.spi.InvocationResponse;
import io.smcontainers.serving.netty.testing.TestHandlers;
import io.smcontainers.serving.netty.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A handler's own health check on the real server (serving contract 1.4, item 5): its answer sent as-is on GET and
 * HEAD (the reference's custom-ping test: 202 and body {@code ping}), called on the health thread for every ping, a
 * throwing check answering 503, and a blocked check answering 503 at the deadline while invocations go on.
 */
class HealthCheckIT {
    /** A health check that does what {@link #behaviour} says, counting its calls and their threads. */
    static final class Counted implements HealthCheck {
        final AtomicReference<HealthCheck> behaviour = new AtomicReference<>();
        final AtomicInteger calls = new AtomicInteger();
        final ConcurrentLinkedQueue<String> threads = new ConcurrentLinkedQueue<>();

        Counted(HealthCheck initial) {
            behaviour.set(initial);
        }

        @Override
        public InvocationResponse check() throws Exception {
            calls.incrementAndGet();
            threads.add(Thread.currentThread().getName());
            return behaviour.get().check();
        }
    }

    private static TestServer serve(Counted check) throws Exception {
        return TestServer.start(new TestHandlers.Actions(check), Map.of());
    }

    private static HttpResponse<String> ping(TestServer server) throws Exception {
        return server.send(HttpRequest.newBuilder(server.uri("/ping")).GET());
    }

    @Test
    void theChecksAnswerIsSentAsIsOnGetAndHead() throws Exception {
        Counted check = new Counted(() ->
                InvocationResponse.ofText("ping", "text/plain").withStatus(202).withHeader("X-Health", "gpu-ok"));
        try (TestServer server = serve(check)) {
            for (int i = 1; i <= 3; i++) {
                HttpResponse<String> ping = ping(server);
                assertEquals(202, ping.statusCode());
                assertEquals("ping", ping.body());
                assertEquals(
                        "text/plain", ping.headers().firstValue("Content-Type").orElseThrow());
                assertEquals("gpu-ok", ping.headers().firstValue("X-Health").orElseThrow());
                assertTrue(ping.headers().firstValue("x-request-id").isPresent());
                assertEquals(i, check.calls.get(), "one call per ping");
            }
            assertTrue(check.threads.stream().allMatch("smc-health"::equals), check.threads.toString());

            // HEAD: the same status and Content-Length, no body. A GET pipelined behind it while its call is still
            // running waits for the HEAD's answer (in order) and gets a call of its own.
            CountDownLatch entered = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            check.behaviour.set(() -> {
                entered.countDown();
                release.await();
                return InvocationResponse.ofText("ping", "text/plain").withStatus(202);
            });
            int before = check.calls.get();
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                socket.setSoTimeout(30_000);
                socket.getOutputStream().write("HEAD /ping HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(US_ASCII));
                assertTrue(entered.await(30, TimeUnit.SECONDS));
                socket.getOutputStream().write("GET /ping HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(US_ASCII));
                release.countDown();
                String answers = readUntilEndsWith(socket.getInputStream(), "\r\n\r\nping");
                String[] parts = answers.split("\r\n\r\n", -1);
                assertEquals(3, parts.length, answers);
                assertTrue(parts[0].startsWith("HTTP/1.1 202 Accepted\r\n"), parts[0]);
                assertTrue(parts[0].contains("\r\ncontent-length: 4"), parts[0]);
                assertTrue(parts[1].startsWith("HTTP/1.1 202 Accepted\r\n"), "no body after HEAD: " + answers);
                assertEquals("ping", parts[2]);
            }
            assertEquals(before + 2, check.calls.get(), "the GET waited for the HEAD's answer, then had its own call");
        }
    }

    @Test
    void aThrowingCheckAnswers503AndKeepsTheConnection() throws Exception {
        Counted check = new Counted(() -> {
            throw new IllegalStateException("no GPU left");
        });
        try (TestServer server = serve(check)) {
            HttpResponse<String> ping = ping(server);
            assertEquals(503, ping.statusCode());
            assertTrue(ping.body().contains("\"type\": \"HealthCheckFailed\""), ping.body());
            assertTrue(
                    ping.body()
                            .contains("\"message\": \"The model handler's health check failed"
                                    + " (java.lang.IllegalStateException); see the container log\""),
                    ping.body());
            // the trace (with the exception's message) follows SMC_ERROR_STACK_TRACES, as for invocations
            assertTrue(ping.body().contains("no GPU left"), ping.body());
            assertEquals("keep-alive", ping.headers().firstValue("Connection").orElseThrow());
            check.behaviour.set(() -> InvocationResponse.ofText("", "application/json"));
            assertEquals(200, ping(server).statusCode());
        }
    }

    @Test
    void aBlockedCheckAnswers503AtTheDeadlineWhileInvocationsGoOn() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Counted check = new Counted(() -> {
            release.await();
            return InvocationResponse.ofText("", "application/json");
        });
        try (TestServer server = serve(check)) {
            HttpResponse<String> late = ping(server);
            assertEquals(503, late.statusCode());
            assertTrue(late.body().contains("\"type\": \"HealthCheckTimeout\""), late.body());
            assertEquals(1, release.getCount(), "answered while the check was still blocked");
            HttpResponse<String> invocation = server.send(HttpRequest.newBuilder(server.uri("/invocations"))
                    .header("Content-Type", "application/octet-stream")
                    .header("X-Test-Action", "echo")
                    .POST(HttpRequest.BodyPublishers.ofString("still served")));
            assertEquals(200, invocation.statusCode());
            assertEquals("still served", invocation.body());
            assertEquals(503, ping(server).statusCode());
            assertEquals(1, check.calls.get(), "no second call while the first is blocked");
            release.countDown();
            int status;
            do {
                status = ping(server).statusCode();
            } while (status == 503);
            assertEquals(200, status);
        }
    }

    private static String readUntilEndsWith(InputStream in, String end) throws Exception {
        ByteArrayOutputStream read = new ByteArrayOutputStream();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!read.toString(US_ASCII).endsWith(end)) {
            int b = in.read();
            if (b < 0 || System.nanoTime() > deadline) {
                throw new AssertionError("the connection ended before '" + end + "': " + read.toString(US_ASCII));
            }
            read.write(b);
        }
        return read.toString(US_ASCII);
    }
}
