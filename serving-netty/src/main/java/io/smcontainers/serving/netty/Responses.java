package io.smcontainers.serving.netty;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AttributeKey;
import io.smcontainers.framework.spi.InvocationResponse;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place that writes responses: request id, Content-Length, Connection, the keep-alive and close decision, the access log. */
final class Responses {
    /** Set while a connection has an invocation (or management call) queued or running, until its response is flushed: later pipelined requests wait in {@link InOrder} and the keep-alive timeout spares it. */
    static final AttributeKey<Boolean> BUSY = AttributeKey.valueOf("smc.busy");
    private static final Logger log = LoggerFactory.getLogger(Responses.class);
    private static final Logger access = LoggerFactory.getLogger("io.smcontainers.serving.access");
    private static final String CUSTOM_ATTRIBUTES = "X-Amzn-SageMaker-Custom-Attributes";

    private final BooleanSupplier draining;
    private final boolean stackTraces;

    Responses(BooleanSupplier draining, boolean stackTraces) {
        this.draining = draining;
        this.stackTraces = stackTraces;
    }

    static String newRequestId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return new java.util.UUID((random.nextLong() & ~0xf000L) | 0x4000L, (random.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L).toString();
    }

    boolean stackTraces() {
        return stackTraces;
    }

    /** An empty 200 with {@code Content-Type: application/json}: the healthy ping. */
    void ok(Channel channel, Exchange exchange, String contentType, byte[] body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                body.length == 0 || exchange.head() ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        send(channel, exchange, response, body.length, false, false);
    }

    /** A JSON answer of a management call; {@code resumeReading} when reads were paused for it. */
    void json(Channel channel, Exchange exchange, int status, String json, boolean resumeReading) {
        byte[] body = json.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
                exchange.head() ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        send(channel, exchange, response, body.length, false, resumeReading);
    }

    /** An error with the runtime's error body. */
    void error(Channel channel, Exchange exchange, int status, String type, String message, Throwable cause, boolean close) {
        error(channel, exchange, status, type, message, cause, close, false, null);
    }

    void error(Channel channel, Exchange exchange, int status, String type, String message, Throwable cause, boolean close,
            boolean resumeReading, String allow) {
        String trace = cause != null && stackTraces ? ErrorBody.stackTrace(cause) : "";
        error(channel, exchange, status, "", type, message, trace, close, resumeReading, allow);
    }

    /** An error whose stack trace is given as text (a Python traceback) and with an optional reason phrase (empty: the standard one). */
    void error(Channel channel, Exchange exchange, int status, String reason, String type, String message, String trace, boolean close,
            boolean resumeReading, String allow) {
        byte[] body = ErrorBody.of(status, type, message, stackTraces ? trace : "");
        HttpResponseStatus line = reason.isEmpty() ? HttpResponseStatus.valueOf(status) : new HttpResponseStatus(status, sanitizeReason(reason));
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, line,
                exchange.head() ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        if (allow != null) {
            response.headers().set(HttpHeaderNames.ALLOW, allow);
        }
        send(channel, exchange, response, body.length, close, resumeReading);
    }

    /**
     * A handler's answer to an invocation; reading resumes once it is flushed. The body is written without a copy (a
     * view of the handler's array or buffer); {@code written} runs once the write is done (or failed, or dropped), when
     * the body's memory may be reused.
     */
    void invocation(Channel channel, Exchange exchange, InvocationResponse answer, Runnable written) {
        HttpResponseStatus status = answer.reason().isPresent()
                ? new HttpResponseStatus(answer.status(), sanitizeReason(answer.reason().get()))
                : HttpResponseStatus.valueOf(answer.status());
        int length = answer.payload().length();
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                length == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(answer.payload().asByteBuffer()));
        try {
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, answer.contentType());
        } catch (IllegalArgumentException e) {
            response.release();
            written.run();
            error(channel, exchange, 500, "InvalidHandlerResult", "The model handler returned an invalid content type: " + e.getMessage(),
                    null, false, true, null);
            return;
        }
        for (Map.Entry<String, String> header : answer.headers().entrySet()) {
            if (header.getKey().equalsIgnoreCase(CUSTOM_ATTRIBUTES) && !validCustomAttributes(header.getValue())) {
                log.warn("Dropping the {} response header of request {}: it must be at most 1024 visible ASCII characters",
                        CUSTOM_ATTRIBUTES, exchange.requestId());
                continue;
            }
            try {
                response.headers().set(header.getKey(), header.getValue());
            } catch (IllegalArgumentException e) {
                log.warn("Dropping the invalid response header '{}' of request {}: {}", header.getKey(), exchange.requestId(), e.getMessage());
            }
        }
        send(channel, exchange, response, length, false, true, written);
    }

    private void send(Channel channel, Exchange exchange, FullHttpResponse response, int contentLength, boolean close,
            boolean resumeReading) {
        send(channel, exchange, response, contentLength, close, resumeReading, null);
    }

    private void send(Channel channel, Exchange exchange, FullHttpResponse response, int contentLength, boolean close,
            boolean resumeReading, Runnable written) {
        boolean keepAlive = exchange.keepAlive() && !close && !draining.getAsBoolean();
        response.headers()
                .set("x-request-id", exchange.requestId())
                .setInt(HttpHeaderNames.CONTENT_LENGTH, contentLength)
                .set(HttpHeaderNames.CONNECTION, keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
        int status = response.status().code();
        if (!(status == 200 && exchange.uri().startsWith("/ping"))) {
            accessLog(channel, exchange.method(), exchange.uri(), exchange.version(), status, exchange.startNanos(), exchange.requestId());
        }
        if (!channel.isActive()) {
            response.release();
            if (written != null) {
                written.run();
            }
            return;
        }
        if (!keepAlive) {
            ChannelFuture future = channel.writeAndFlush(response);
            if (written != null) {
                future.addListener(done -> written.run());
            }
            future.addListener(ChannelFutureListener.CLOSE);
            return;
        }
        if (!resumeReading) {
            channel.writeAndFlush(response, channel.voidPromise());
            return;
        }
        channel.writeAndFlush(response).addListener(future -> {
            if (written != null) {
                written.run();
            }
            if (!future.isSuccess()) {
                channel.attr(BUSY).set(Boolean.FALSE);
                channel.close();
                return;
            }
            InOrder.resume(channel);
        });
    }

    /** One access-log line (healthy pings are not logged). */
    void accessLog(Channel channel, io.netty.handler.codec.http.HttpMethod method, String uri, HttpVersion version, int status,
            long startNanos, String requestId) {
        if (access.isInfoEnabled()) {
            access.info("{} \"{} {} {}\" {} {}ms {}", channel.remoteAddress(), method, uri, version, status,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos), requestId);
        }
    }

    /** CR and LF (and other controls) become spaces, non-ASCII {@code ?}: Netty rejects them in a status line. */
    static String sanitizeReason(String reason) {
        StringBuilder out = new StringBuilder(reason.length());
        for (int i = 0; i < reason.length(); i++) {
            char c = reason.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                out.append(' ');
            } else if (c > 0x7e) {
                out.append('?');
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean validCustomAttributes(String value) {
        if (value.length() > 1024) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }
}
