package io.smcontainers.serving.netty;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.smcontainers.serving.netty.testing.LeakRecorder;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link PayloadAggregator} on an embedded channel: limits, its own answers in the runtime's format, one body buffer. */
class PayloadAggregatorTest {
    static {
        LeakRecorder.install();
    }

    private final EmbeddedConnection embedded = new EmbeddedConnection();

    @AfterEach
    void noLeaks() {
        embedded.channel.finishAndReleaseAll();
        assertEquals(List.of(), LeakRecorder.collectLeaks());
    }

    private static HttpRequest post(String uri, long length) {
        HttpRequest request = EmbeddedConnection.request(HttpMethod.POST, uri);
        request.headers().set("Content-Length", Long.toString(length));
        request.headers().set("X-Amzn-SageMaker-Inference-Id", "req-7");
        return request;
    }

    private FullHttpResponse answer() {
        FullHttpResponse response = embedded.channel.readOutbound();
        assertNotNull(response, "an answer was written");
        assertEquals("application/json", response.headers().get("Content-Type"));
        assertEquals("req-7", response.headers().get("x-request-id"));
        assertEquals(
                Integer.toString(response.content().readableBytes()),
                response.headers().get("Content-Length"));
        return response;
    }

    @Test
    void aDeclaredLengthOverTheLimitIs413BeforeTheBodyAndTheConnectionStays() {
        embedded.add(new PayloadAggregator(embedded.connection, 1000, embedded.responses, false));
        embedded.channel.writeInbound(post("/invocations", 1001));
        FullHttpResponse response = answer();
        assertEquals(413, response.status().code());
        assertEquals("keep-alive", response.headers().get("Connection"));
        assertTrue(response.content()
                .toString(US_ASCII)
                .startsWith("{\"code\": 413, \"type\": \"RequestEntityTooLarge\""));
        response.release();
        embedded.channel.writeInbound(new DefaultLastHttpContent(Unpooled.copiedBuffer("x".repeat(1001), US_ASCII)));
        assertNull(embedded.channel.readInbound(), "the refused body is discarded");
        assertTrue(embedded.channel.isOpen());
    }

    @Test
    void expectationsAreAnsweredInTheRuntimesFormatAndClose() {
        embedded.add(new PayloadAggregator(embedded.connection, 1000, embedded.responses, false));
        HttpRequest tooLarge = post("/invocations", 5000);
        tooLarge.headers().set("Expect", "100-continue");
        embedded.channel.writeInbound(tooLarge);
        FullHttpResponse refused = answer();
        assertEquals(413, refused.status().code());
        assertEquals("close", refused.headers().get("Connection"));
        refused.release();
        assertFalse(embedded.channel.isOpen());
    }

    @Test
    void anUnknownExpectationIs417() {
        embedded.add(new PayloadAggregator(embedded.connection, 1000, embedded.responses, false));
        HttpRequest odd = post("/invocations", 3);
        odd.headers().set("Expect", "tea");
        embedded.channel.writeInbound(odd);
        FullHttpResponse failed = answer();
        assertEquals(417, failed.status().code());
        assertEquals("close", failed.headers().get("Connection"));
        assertTrue(failed.content().toString(US_ASCII).contains("Expect: tea"));
        failed.release();
    }

    @Test
    void aMultiModelLoadIsCappedAt64KiB() {
        embedded.add(new PayloadAggregator(embedded.connection, 10 << 20, embedded.responses, true));
        embedded.channel.writeInbound(post("/models", PayloadAggregator.LOAD_LIMIT + 1));
        FullHttpResponse response = answer();
        assertEquals(413, response.status().code());
        assertTrue(response.content().toString(US_ASCII).contains("A model load request body is at most 65536 bytes"));
        response.release();
        embedded.channel.writeInbound(LastHttpContent.EMPTY_LAST_CONTENT);
        embedded.channel.writeInbound(
                post("/invocations", PayloadAggregator.LOAD_LIMIT + 1),
                new DefaultLastHttpContent(Unpooled.wrappedBuffer(new byte[PayloadAggregator.LOAD_LIMIT + 1])));
        FullHttpRequest invocation = embedded.channel.readInbound();
        assertEquals(
                PayloadAggregator.LOAD_LIMIT + 1,
                invocation.content().readableBytes(),
                "other paths keep the payload limit");
        invocation.release();
    }

    @Test
    void aBodyInSeveralPartsBecomesOneBuffer() {
        embedded.add(new PayloadAggregator(embedded.connection, 1000, embedded.responses, false));
        embedded.channel.writeInbound(
                post("/invocations", 9),
                new DefaultHttpContent(Unpooled.copiedBuffer("abc", US_ASCII)),
                new DefaultHttpContent(Unpooled.copiedBuffer("def", US_ASCII)),
                new DefaultLastHttpContent(Unpooled.copiedBuffer("ghi", US_ASCII)));
        FullHttpRequest request = embedded.channel.readInbound();
        assertEquals(1, request.content().nioBufferCount());
        assertEquals("abcdefghi", request.content().toString(US_ASCII));
        request.release();
    }
}
