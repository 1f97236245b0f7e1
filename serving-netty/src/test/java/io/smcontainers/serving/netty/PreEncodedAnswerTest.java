package io.smcontainers.serving.netty;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.smcontainers.framework.spi.InvocationResponse;
import io.smcontainers.serving.netty.testing.LeakRecorder;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A plain invocation answer is written pre-encoded ({@link PreEncodedAnswer}, through {@link Responses#invocation}): the
 * same bytes Netty's {@code HttpResponseEncoder} writes for the message the runtime builds otherwise, for bodies on both
 * sides of the encoder's copy threshold, keep-alive and close; and anything else still goes through the encoder.
 */
class PreEncodedAnswerTest {
    static {
        LeakRecorder.install();
    }

    private final EmbeddedConnection embedded = new EmbeddedConnection();
    /** HTTP messages written from the pipeline's tail (through the encoder): none for a pre-encoded answer. */
    private final AtomicInteger messages = new AtomicInteger();

    PreEncodedAnswerTest() {
        // as in the server: the in-order stage before the encoder, the router's writes coming from the tail
        embedded.add(embedded.connection.inOrder(), new HttpResponseEncoder(), new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                if (msg instanceof HttpObject) {
                    messages.incrementAndGet();
                }
                ctx.write(msg, promise);
            }
        });
    }

    @AfterEach
    void noLeaks() {
        embedded.channel.finishAndReleaseAll();
        assertEquals(List.of(), LeakRecorder.collectLeaks());
    }

    /** What HttpResponseEncoder writes for the runtime's 200 with these headers, in the runtime's order. */
    private static String encoded(String contentType, String requestId, byte[] body, boolean keepAlive) {
        EmbeddedChannel encoder = new EmbeddedChannel(new HttpResponseEncoder());
        FullHttpResponse response =
                new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .set("x-request-id", requestId)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.CONNECTION, keepAlive ? "keep-alive" : "close");
        encoder.writeOutbound(response);
        String bytes = drain(encoder);
        encoder.finishAndReleaseAll();
        return bytes;
    }

    private static String drain(EmbeddedChannel channel) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuf buf;
        while ((buf = channel.readOutbound()) != null) {
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            out.writeBytes(bytes);
            buf.release();
        }
        return out.toString(US_ASCII);
    }

    private String answer(Exchange exchange, InvocationResponse response) {
        AtomicInteger written = new AtomicInteger();
        embedded.connection.begin(exchange);
        embedded.responses.invocation(exchange, response, written::incrementAndGet);
        embedded.channel.runPendingTasks();
        assertEquals(1, written.get(), "the body's memory is given back once, after the write");
        return drain(embedded.channel);
    }

    private static byte[] body(int size) {
        byte[] body = new byte[size];
        for (int i = 0; i < size; i++) {
            body[i] = (byte) ('a' + i % 26);
        }
        return body;
    }

    @Test
    void thePlainAnswerIsTheEncodersBytesForEveryBodySize() {
        for (int size :
                new int[] {0, 1, 100, PreEncodedAnswer.COPY_LIMIT, PreEncodedAnswer.COPY_LIMIT + 1, 100 * 1024}) {
            Exchange exchange = embedded.exchange("/invocations");
            byte[] body = body(size);
            assertEquals(
                    encoded("application/json", exchange.requestId(), body, true),
                    answer(exchange, InvocationResponse.of(body, "application/json")),
                    "a " + size + "-byte body");
            assertTrue(embedded.channel.isOpen());
            assertEquals(0, messages.get(), "written pre-encoded, past the encoder");
        }
    }

    @Test
    void aClosingAnswerIsTheEncodersBytesAndCloses() {
        HttpRequest request = EmbeddedConnection.request(HttpMethod.POST, "/invocations");
        request.headers().set("Connection", "close");
        Exchange exchange = Exchange.of(embedded.connection, request);
        byte[] body = body(300);
        assertEquals(
                encoded("text/csv; charset=utf-8", exchange.requestId(), body, false),
                answer(exchange, InvocationResponse.of(body, "text/csv; charset=utf-8")));
        assertEquals(0, messages.get(), "written pre-encoded, past the encoder");
        embedded.channel.runPendingTasks();
        assertFalse(embedded.channel.isActive(), "our side shut after the answer (lingering close)");
    }

    @Test
    void answersWithHeadersAStatusOrNonAsciiGoThroughTheEncoder() {
        Exchange exchange = embedded.exchange("/invocations");
        String withHeader = answer(
                exchange, InvocationResponse.of(body(5), "application/json").withHeader("X-Model", "v2"));
        assertTrue(withHeader.contains("\r\nX-Model: v2\r\n"), withHeader);
        Exchange created = embedded.exchange("/invocations");
        String status = answer(
                created, InvocationResponse.of(body(5), "application/json").withStatus(201));
        assertTrue(status.startsWith("HTTP/1.1 201 Created\r\n"), status);
        Exchange latin = embedded.exchange("/invocations");
        String nonAscii = answer(latin, InvocationResponse.of(body(5), "text/plain; name=caf\u00e9"));
        assertTrue(nonAscii.startsWith("HTTP/1.1 200 OK\r\ncontent-type: text/plain; name=caf"), nonAscii);
        assertEquals(3, messages.get(), "all three went through the encoder");
    }

    @Test
    void onlyPrintableAsciiIsPlain() {
        assertTrue(PreEncodedAnswer.plain("application/json; charset=utf-8"));
        assertTrue(PreEncodedAnswer.plain(""));
        assertFalse(PreEncodedAnswer.plain("a\tb"));
        assertFalse(PreEncodedAnswer.plain("caf\u00e9"));
        assertFalse(PreEncodedAnswer.plain("a\r\nb"));
    }
}
