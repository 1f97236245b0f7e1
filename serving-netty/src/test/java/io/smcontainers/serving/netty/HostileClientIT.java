package io.smcontainers.serving.netty;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.smcontainers.serving.netty.testing.LeakRecorder;
import io.smcontainers.serving.netty.testing.RawHttp;
import io.smcontainers.serving.netty.testing.TestHandlers;
import io.smcontainers.serving.netty.testing.TestServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Clients and handlers that try to break the server's memory bound or the HTTP framing, over raw sockets: unread
 * pipelined answers, handler statuses and headers that would desynchronise a pooled connection, {@code Expect}, HTTP
 * versions, duplicate {@code Host}, slowloris headers.
 */
class HostileClientIT {
    static {
        LeakRecorder.install();
    }

    private static final long MIB = 1024 * 1024;
    private static final byte[] CRLF = {'\r', '\n'};

    @AfterEach
    void noLeaks() {
        assertEquals(List.of(), LeakRecorder.collectLeaks());
    }

    private static Socket connect(TestServer server) throws IOException {
        Socket socket = new Socket("127.0.0.1", server.port());
        socket.setSoTimeout(20_000);
        return socket;
    }

    private static long usedDirectMemory() {
        return ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT)
                .metric()
                .usedDirectMemory();
    }

    /** Writes one byte every 100 ms for up to 30 s on another thread; true when a write failed (the server closed). */
    private static CompletableFuture<Boolean> dripUntilClosed(OutputStream out) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                for (int i = 0; i < 300; i++) {
                    out.write('a');
                    out.flush();
                    Thread.sleep(100);
                }
                return false;
            } catch (IOException e) {
                return true;
            } catch (InterruptedException e) {
                return false;
            }
        });
    }

    @Test
    void aClientPipeliningPingsWithoutReadingCostsBoundedMemory() throws Exception {
        try (TestServer server = TestServer.start(new TestHandlers.Actions(), Map.of())) {
            byte[] pings = "GET /ping HTTP/1.1\r\nHost: x\r\n\r\n".repeat(2048).getBytes(US_ASCII);
            long total = 100 * MIB;
            long directBefore = usedDirectMemory();
            AtomicLong written = new AtomicLong();
            AtomicBoolean stop = new AtomicBoolean();
            java.util.concurrent.atomic.AtomicReference<IOException> failure =
                    new java.util.concurrent.atomic.AtomicReference<>();
            Socket socket = new Socket();
            socket.setReceiveBufferSize(64 * 1024);
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()));
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    OutputStream out = socket.getOutputStream();
                    while (written.get() < total && !stop.get()) {
                        out.write(pings);
                        written.addAndGet(pings.length);
                    }
                } catch (IOException e) {
                    if (!stop.get()) {
                        failure.set(e);
                    }
                }
            });
            long maxPending = 0;
            long maxDirect = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            try {
                // Until the server pauses reading that connection (its answers reached the high-water mark), or the
                // client
                // wrote everything (the server read it all), or the server's unflushed answers pass the bound.
                while (server.server().connectionsWithReadsPaused() == 0
                        && !writer.isDone()
                        && System.nanoTime() < deadline) {
                    maxPending = Math.max(maxPending, server.server().pendingOutboundBytes());
                    maxDirect = Math.max(maxDirect, usedDirectMemory() - directBefore);
                    if (maxPending > 32 * MIB || maxDirect > 32 * MIB) {
                        break;
                    }
                    Thread.sleep(20);
                }
                long pending = server.server().pendingOutboundBytes();
                System.err.printf(
                        "pipelined pings: written %d, pending %d (max %d), max direct growth %d, writer failure %s%n",
                        written.get(), pending, maxPending, maxDirect, failure.get());
                assertEquals(
                        null, failure.get(), "the server keeps the connection open (reads paused) rather than failing");
                assertTrue(maxPending < 32 * MIB, "unflushed answers reached " + maxPending + " bytes");
                assertTrue(maxDirect < 32 * MIB, "direct memory grew by " + maxDirect + " bytes");
                assertEquals(
                        1, server.server().connectionsWithReadsPaused(), "the server stopped reading the connection");
                assertTrue(
                        written.get() < total,
                        "the server read all " + written.get() + " bytes without the client reading an answer");
                assertTrue(pending < 4 * MIB, "unflushed answers stay near the high-water mark: " + pending);
            } finally {
                stop.set(true);
                socket.setSoLinger(true, 0);
                socket.close();
                writer.get(30, TimeUnit.SECONDS);
            }
            assertEquals(200, server.get("/ping").statusCode());
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (server.server().pendingOutboundBytes() > 0 && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            assertEquals(0, server.server().pendingOutboundBytes(), "the closed connection's answers are dropped");
        }
    }

    @Test
    void handlerFramingHeadersAndNonFinalStatusesCannotDesynchroniseTheConnection() throws Exception {
        try (TestServer server = TestServer.start(new TestHandlers.Actions(), Map.of());
                Socket socket = connect(server)) {
            StringBuilder pipelined = new StringBuilder();
            for (String action : List.of(
                    "framing-headers",
                    "answer-status:101",
                    "answer-status:103",
                    "answer-status:100",
                    "answer-status:204",
                    "answer-status:600",
                    "answer-status:599")) {
                pipelined
                        .append("POST /invocations HTTP/1.1\r\nHost: x\r\nX-Test-Action: ")
                        .append(action)
                        .append("\r\nContent-Length: 0\r\n\r\n");
            }
            pipelined.append("GET /ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            socket.getOutputStream().write(pipelined.toString().getBytes(US_ASCII));
            RawHttp http = new RawHttp(socket.getInputStream());

            RawHttp.Response framing = http.next(true);
            assertEquals(200, framing.status());
            assertEquals("abc", framing.text());
            assertEquals("3", framing.header("Content-Length"));
            assertEquals("keep-alive", framing.header("Connection"));
            assertEquals("yes", framing.header("X-Kept"));
            for (String dropped : List.of("Transfer-Encoding", "Keep-Alive", "Upgrade", "TE", "Trailer")) {
                assertNull(framing.header(dropped), dropped + " in " + framing.headers());
            }
            for (int status : new int[] {101, 103, 100}) {
                RawHttp.Response refused = http.next(true);
                assertEquals(500, refused.status(), status + ": " + refused.headers());
                assertTrue(
                        refused.text().contains("\"type\": \"InvalidHandlerResult\"")
                                && refused.text().contains("status " + status),
                        refused.text());
            }
            RawHttp.Response noContent = http.next(true);
            assertEquals(204, noContent.status());
            assertNull(noContent.header("Content-Length"), "204 goes without a body or length");
            assertEquals(500, http.next(true).status(), "600 is not an HTTP status");
            RawHttp.Response highest = http.next(true);
            assertEquals(599, highest.status());
            assertEquals("body", highest.text());
            RawHttp.Response ping = http.next(true);
            assertEquals(
                    200,
                    ping.status(),
                    "the last answer is the ping's: nothing was taken for another request's answer");
            assertEquals("close", ping.header("Connection"));
            assertTrue(http.closed());
        }
    }

    @Test
    void nettysExpectAnswersCarryTheRuntimesErrorFormat() throws Exception {
        try (TestServer server =
                TestServer.start(new TestHandlers.Actions(), Map.of("SAGEMAKER_MAX_PAYLOAD_IN_MB", "1"))) {
            try (Socket socket = connect(server)) {
                socket.getOutputStream()
                        .write(("POST /invocations HTTP/1.1\r\nHost: x\r\nX-Amzn-SageMaker-Inference-Id: big-one\r\n"
                                        + "Expect: 100-continue\r\nContent-Length: 2000000\r\n\r\n")
                                .getBytes(US_ASCII));
                RawHttp http = new RawHttp(socket.getInputStream());
                RawHttp.Response tooLarge = http.next(true);
                assertEquals(413, tooLarge.status());
                assertEquals("application/json", tooLarge.header("Content-Type"));
                assertEquals("big-one", tooLarge.header("x-request-id"));
                assertEquals("close", tooLarge.header("Connection"));
                assertTrue(
                        tooLarge.text().startsWith("{\"code\": 413, \"type\": \"RequestEntityTooLarge\""),
                        tooLarge.text());
                assertTrue(http.closed());
            }
            try (Socket socket = connect(server)) {
                socket.getOutputStream()
                        .write("POST /invocations HTTP/1.1\r\nHost: x\r\nExpect: tea\r\nContent-Length: 3\r\n\r\nabc"
                                .getBytes(US_ASCII));
                RawHttp http = new RawHttp(socket.getInputStream());
                RawHttp.Response failed = http.next(true);
                assertEquals(417, failed.status());
                assertNotNull(failed.header("x-request-id"));
                assertEquals("close", failed.header("Connection"));
                assertTrue(
                        failed.text().startsWith("{\"code\": 417, \"type\": \"ExpectationFailed\"")
                                && failed.text().contains("Expect: tea"),
                        failed.text());
                assertTrue(http.closed());
            }
            try (Socket socket = connect(server)) {
                socket.getOutputStream()
                        .write(
                                "POST /invocations HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\n"
                                        .getBytes(US_ASCII));
                RawHttp http = new RawHttp(socket.getInputStream());
                assertEquals(100, http.next(true).status());
                socket.getOutputStream().write("abc".getBytes(US_ASCII));
                RawHttp.Response echoed = http.next(true);
                assertEquals(200, echoed.status());
                assertEquals("abc", echoed.text());
            }
        }
    }

    @Test
    void otherHttpVersionsAre505AndTwoHostHeaders400() throws Exception {
        try (TestServer server = TestServer.start(new TestHandlers.Actions(), Map.of())) {
            for (String request : List.of(
                    "GET /ping HTTP/9.9\r\nHost: x\r\n\r\n",
                    "GET /ping HTTP/2.0\r\nHost: x\r\n\r\n",
                    "POST /invocations HTTP/0.9\r\nHost: x\r\nContent-Length: 0\r\n\r\n")) {
                try (Socket socket = connect(server)) {
                    socket.getOutputStream().write(request.getBytes(US_ASCII));
                    RawHttp http = new RawHttp(socket.getInputStream());
                    RawHttp.Response response = http.next(true);
                    assertEquals(505, response.status(), request);
                    assertTrue(response.text().contains("\"type\": \"HttpVersionNotSupported\""), response.text());
                    assertEquals("close", response.header("Connection"));
                    assertTrue(http.closed());
                }
            }
            for (String request : List.of(
                    "GET /ping HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
                    "POST /invocations HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nhost: a\r\n\r\n")) {
                try (Socket socket = connect(server)) {
                    socket.getOutputStream().write(request.getBytes(US_ASCII));
                    RawHttp http = new RawHttp(socket.getInputStream());
                    RawHttp.Response response = http.next(true);
                    assertEquals(400, response.status(), request);
                    assertTrue(response.text().contains("several Host headers"), response.text());
                    assertEquals("close", response.header("Connection"));
                    assertTrue(http.closed());
                }
            }
            try (Socket socket = connect(server)) {
                socket.getOutputStream().write("GET /ping HTTP/1.0\r\n\r\n".getBytes(US_ASCII));
                assertEquals(
                        200, new RawHttp(socket.getInputStream()).next(true).status(), "HTTP/1.0 is still served");
            }
        }
    }

    @Test
    void aClientDrippingHeadersIsAnswered408AtTheHeaderReadTimeout() throws Exception {
        try (TestServer server = TestServer.start(
                        new TestHandlers.Actions(),
                        Map.of("SMC_HEADER_READ_TIMEOUT_SECONDS", "1", "SMC_KEEP_ALIVE_SECONDS", "60"));
                Socket socket = connect(server)) {
            OutputStream out = socket.getOutputStream();
            out.write("GET /ping HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(US_ASCII));
            // One byte every 100 ms: the connection is never idle, the headers never end. The client goes on after the
            // 408 and the end of the stream; the server reads and drops that for a bounded time, then closes.
            CompletableFuture<Boolean> drip = dripUntilClosed(out);
            long start = System.nanoTime();
            RawHttp http = new RawHttp(socket.getInputStream());
            RawHttp.Response timedOut = http.next(true);
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(408, timedOut.status());
            assertTrue(timedOut.text().contains("SMC_HEADER_READ_TIMEOUT_SECONDS"), timedOut.text());
            assertEquals("close", timedOut.header("Connection"));
            assertFalse(took > 20_000, "answered after " + took + " ms");
            assertTrue(http.closed());
            assertTrue(
                    drip.get(30, TimeUnit.SECONDS),
                    "the server closed the connection while the client went on sending after the end of the stream");
        }
    }

    @Test
    void aClientStillUploadingARefusedBodyReadsThe413BeforeTheEndOfTheStream() throws Exception {
        try (TestServer server =
                TestServer.start(new TestHandlers.Actions(), Map.of("SAGEMAKER_MAX_PAYLOAD_IN_MB", "1"))) {
            for (int round = 0; round < 20; round++) {
                try (Socket socket = connect(server)) {
                    OutputStream out = socket.getOutputStream();
                    out.write(("POST /invocations HTTP/1.1\r\nHost: x\r\nX-Amzn-SageMaker-Inference-Id: upload-" + round
                                    + "\r\nTransfer-Encoding: chunked\r\n\r\n")
                            .getBytes(US_ASCII));
                    // 4 MiB of chunks against a 1 MiB limit, written on: the server refuses mid-stream and closes while
                    // the client is still sending (a reset would destroy the answer before it is read).
                    CompletableFuture<Void> upload = CompletableFuture.runAsync(() -> {
                        byte[] chunk = new byte[16 * 1024];
                        byte[] size = (Integer.toHexString(chunk.length) + "\r\n").getBytes(US_ASCII);
                        try {
                            for (int i = 0; i < 256; i++) {
                                out.write(size);
                                out.write(chunk);
                                out.write(CRLF);
                            }
                        } catch (IOException e) {
                            // the server stopped reading: expected once it has answered
                        }
                    });
                    RawHttp http = new RawHttp(socket.getInputStream());
                    RawHttp.Response refused = http.next(true);
                    assertEquals(413, refused.status(), "round " + round);
                    assertEquals("upload-" + round, refused.header("x-request-id"));
                    assertEquals("close", refused.header("Connection"));
                    assertTrue(http.closed(), "the end of the stream follows the answer");
                    upload.get(30, TimeUnit.SECONDS);
                }
            }
            assertEquals(200, server.get("/ping").statusCode(), "the server keeps serving");
        }
    }

    @Test
    void aClientDrippingABodyBelowTheMinimumRateIsAnswered408() throws Exception {
        try (TestServer server = TestServer.start(
                        new TestHandlers.Actions(),
                        Map.of(
                                "SMC_HEADER_READ_TIMEOUT_SECONDS", "1",
                                "SMC_BODY_MIN_RATE_BYTES", "100",
                                "SMC_KEEP_ALIVE_SECONDS", "60"));
                Socket socket = connect(server)) {
            OutputStream out = socket.getOutputStream();
            out.write("POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n".getBytes(US_ASCII));
            // 10 bytes/s: the connection is never idle, the body never ends
            CompletableFuture<Boolean> drip = dripUntilClosed(out);
            RawHttp http = new RawHttp(socket.getInputStream());
            RawHttp.Response timedOut = http.next(true);
            assertEquals(408, timedOut.status());
            assertTrue(timedOut.text().contains("SMC_BODY_MIN_RATE_BYTES"), timedOut.text());
            assertEquals("close", timedOut.header("Connection"));
            assertTrue(http.closed());
            drip.get(30, TimeUnit.SECONDS);
            assertEquals(200, server.get("/ping").statusCode(), "the server keeps serving");
        }
    }
}
