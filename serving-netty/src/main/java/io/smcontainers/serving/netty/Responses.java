package io.smcontainers.serving.netty;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.smcontainers.framework.spi.InvocationResponse;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the runtime's responses (all but the pre-encoded healthy ping and execution parameters of {@link FastPath}):
 * request id, Content-Length, Connection, the keep-alive and close decision, the access log; and, once the answer of the
 * connection's in-flight request is flushed, hands the connection back ({@link Connection#answered}). Handler answers
 * keep the framing the runtime's: statuses 200-599 only, no framing or hop-by-hop headers. Every answer it frames is
 * recorded here, and only here, in the {@link Metrics} ({@link Metrics#NONE} unless {@code SMC_METRICS_PORT} is set).
 */
final class Responses {
    /** Headers that frame the message or concern the connection: a handler may not set them. */
    static final Set<String> RUNTIME_HEADERS = Set.of(
            "content-length",
            "transfer-encoding",
            "connection",
            "keep-alive",
            "upgrade",
            "te",
            "trailer",
            "proxy-connection");

    private static final Logger log = LoggerFactory.getLogger(Responses.class);
    private static final Logger access = LoggerFactory.getLogger("io.smcontainers.serving.access");
    private static final String CUSTOM_ATTRIBUTES = "X-Amzn-SageMaker-Custom-Attributes";

    private final BooleanSupplier draining;
    private final boolean stackTraces;
    private final Metrics metrics;

    Responses(BooleanSupplier draining, boolean stackTraces) {
        this(draining, stackTraces, Metrics.NONE);
    }

    Responses(BooleanSupplier draining, boolean stackTraces, Metrics metrics) {
        this.draining = draining;
        this.stackTraces = stackTraces;
        this.metrics = metrics;
    }

    /** Where answers are recorded ({@link FastPath} records its own there too). */
    Metrics metrics() {
        return metrics;
    }

    static String newRequestId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return new java.util.UUID(
                        (random.nextLong() & ~0xf000L) | 0x4000L,
                        (random.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L)
                .toString();
    }

    /** A 200 with this body (none for HEAD), e.g. the healthy ping. */
    void ok(Exchange exchange, String contentType, byte[] body) {
        FullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                HttpResponseStatus.OK,
                body.length == 0 || exchange.head() ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        send(exchange, response, body.length, false, null);
    }

    /** A JSON answer of a management call. */
    void json(Exchange exchange, int status, String json) {
        byte[] body = json.getBytes(StandardCharsets.US_ASCII);
        FullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(status),
                exchange.head() ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        send(exchange, response, body.length, false, null);
    }

    /** An error with the runtime's error body. */
    void error(Exchange exchange, ErrorReply reply) {
        byte[] body = errorBody(reply);
        send(exchange, errorMessage(exchange, reply, body), body.length, reply.close(), null);
    }

    /**
     * An error with the runtime's error body and every header set, not written: for Netty's aggregator, which writes its
     * own answer to {@code Expect} (413, 417) and closes the connection itself. Logged as written.
     */
    FullHttpResponse errorResponse(Exchange exchange, ErrorReply reply) {
        byte[] body = errorBody(reply);
        FullHttpResponse response = errorMessage(exchange, reply, body);
        frame(exchange, response, body.length, reply.close());
        return response;
    }

    /**
     * A handler's answer to an invocation (or its health check's to a ping; for {@code HEAD}, the headers alone, with the
     * body's {@code Content-Length}). The body is written without a copy (a view of the handler's array or buffer); {@code written} runs once the write is done (or failed, or dropped), when the body's memory may be reused.
     * A status outside 200-599 becomes a 500 (a 1xx would leave the request without a final answer, and the next
     * pipelined answer would be taken for it); framing and hop-by-hop headers are dropped; 204, 205 and 304 go without a
     * body.
     */
    void invocation(Exchange exchange, InvocationResponse answer, Runnable written) {
        int code = answer.status();
        if (code < 200 || code > 599) {
            log.error(
                    "The model handler answered request {} with status {}; only 200 to 599 are allowed: answering 500 instead",
                    exchange.requestId(),
                    code);
            written.run();
            error(
                    exchange,
                    ErrorReply.of(
                            500,
                            "InvalidHandlerResult",
                            "The model handler returned the status " + code
                                    + "; a handler's status must be 200 to 599"));
            return;
        }
        if (code == 200
                && !exchange.head()
                && answer.reason().isEmpty()
                && answer.headers().isEmpty()
                && PreEncodedAnswer.plain(answer.contentType())
                && PreEncodedAnswer.plain(exchange.requestId())) {
            sendPreEncoded(exchange, answer, written);
            return;
        }
        HttpResponseStatus status = answer.reason().isPresent()
                ? new HttpResponseStatus(code, sanitizeReason(answer.reason().get()))
                : HttpResponseStatus.valueOf(code);
        boolean bodiless = code == 204 || code == 205 || code == 304;
        int length = bodiless ? 0 : answer.payload().length();
        if (bodiless && answer.payload().length() > 0) {
            log.warn(
                    "Dropping the {}-byte body of request {}: a {} answer has no body",
                    answer.payload().length(),
                    exchange.requestId(),
                    code);
        }
        FullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                status,
                length == 0 || exchange.head()
                        ? Unpooled.EMPTY_BUFFER
                        : Unpooled.wrappedBuffer(answer.payload().asByteBuffer()));
        try {
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, answer.contentType());
        } catch (IllegalArgumentException e) {
            response.release();
            written.run();
            error(
                    exchange,
                    ErrorReply.of(
                            500,
                            "InvalidHandlerResult",
                            "The model handler returned an invalid content type: " + e.getMessage()));
            return;
        }
        for (Map.Entry<String, String> header : answer.headers().entrySet()) {
            String name = header.getKey();
            if (RUNTIME_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                log.warn(
                        "Dropping the response header '{}' of request {}: the runtime sets message framing and connection headers",
                        name,
                        exchange.requestId());
                continue;
            }
            if (name.equalsIgnoreCase(CUSTOM_ATTRIBUTES) && !validCustomAttributes(header.getValue())) {
                log.warn(
                        "Dropping the {} response header of request {}: it must be at most 1024 visible ASCII characters",
                        CUSTOM_ATTRIBUTES,
                        exchange.requestId());
                continue;
            }
            try {
                response.headers().set(name, header.getValue());
            } catch (IllegalArgumentException e) {
                log.warn(
                        "Dropping the invalid response header '{}' of request {}: {}",
                        name,
                        exchange.requestId(),
                        e.getMessage());
            }
        }
        send(exchange, response, length, false, written);
    }

    private byte[] errorBody(ErrorReply reply) {
        String trace = stackTraces
                ? reply.trace()
                        .orElseGet(
                                () -> reply.cause().map(ErrorBody::stackTrace).orElse(""))
                : "";
        return ErrorBody.of(reply.status(), reply.type(), reply.message(), trace);
    }

    private static FullHttpResponse errorMessage(Exchange exchange, ErrorReply reply, byte[] body) {
        HttpResponseStatus line = reply.reason()
                .map(reason -> new HttpResponseStatus(reply.status(), sanitizeReason(reason)))
                .orElseGet(() -> HttpResponseStatus.valueOf(reply.status()));
        FullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, line, exchange.head() ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        reply.allow().ifPresent(allow -> response.headers().set(HttpHeaderNames.ALLOW, allow));
        return response;
    }

    /** Sets the request id, Content-Length and Connection, writes the access-log line, records the answer; returns whether the connection stays open. */
    private boolean frame(Exchange exchange, FullHttpResponse response, int contentLength, boolean close) {
        boolean keepAlive = keepAlive(exchange, close);
        response.headers()
                .set("x-request-id", exchange.requestId())
                .setInt(HttpHeaderNames.CONTENT_LENGTH, contentLength)
                .set(HttpHeaderNames.CONNECTION, keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
        record(exchange, response.status().code());
        return keepAlive;
    }

    /** Whether the connection stays open after this answer: the client keeps it, the answer does not close it, no drain. */
    private boolean keepAlive(Exchange exchange, boolean close) {
        return exchange.keepAlive() && !close && !draining.getAsBoolean();
    }

    /** Records the answer in the metrics and writes its access-log line (healthy pings are not logged). */
    private void record(Exchange exchange, int status) {
        metrics.answered(exchange, status);
        if (!(status == 200 && exchange.uri().startsWith("/ping"))) {
            accessLog(
                    exchange.connection().channel().remoteAddress(),
                    exchange.method(),
                    exchange.uri(),
                    exchange.version(),
                    status,
                    exchange.startNanos(),
                    exchange.requestId());
        }
    }

    /**
     * A plain 200 answer ({@link PreEncodedAnswer}): the same bytes, framing, access-log line and metrics as {@link #send},
     * written past the HTTP encoder (from the in-order stage's context), the handler's bytes not copied unless small.
     */
    private void sendPreEncoded(Exchange exchange, InvocationResponse answer, Runnable written) {
        boolean keepAlive = keepAlive(exchange, false);
        record(exchange, 200);
        Connection connection = exchange.connection();
        Channel channel = connection.channel();
        if (!channel.isActive()) {
            written.run();
            return;
        }
        ChannelHandlerContext raw = connection.inOrder().context();
        ChannelFuture future = PreEncodedAnswer.write(
                raw,
                answer.contentType(),
                exchange.requestId(),
                answer.payload().asByteBuffer(),
                keepAlive,
                raw.newPromise());
        afterWrite(future, connection, exchange, keepAlive, written);
    }

    private void send(
            Exchange exchange, FullHttpResponse response, int contentLength, boolean close, Runnable written) {
        boolean keepAlive = frame(exchange, response, contentLength, close);
        Connection connection = exchange.connection();
        Channel channel = connection.channel();
        if (!channel.isActive()) {
            response.release();
            if (written != null) {
                written.run();
            }
            return;
        }
        if (keepAlive && written == null && !connection.inFlight(exchange)) {
            channel.writeAndFlush(response, channel.voidPromise());
            return;
        }
        afterWrite(channel.writeAndFlush(response), connection, exchange, keepAlive, written);
    }

    /** Once written: {@code written} runs, and the connection closes (lingering) or is handed back to its next request. */
    private static void afterWrite(
            ChannelFuture write, Connection connection, Exchange exchange, boolean keepAlive, Runnable written) {
        if (!keepAlive) {
            if (written != null) {
                write.addListener(done -> written.run());
            }
            write.addListener(LingeringClose.AFTER);
            return;
        }
        Channel channel = connection.channel();
        write.addListener(future -> {
            if (written != null) {
                written.run();
            }
            if (!future.isSuccess()) {
                channel.close();
                return;
            }
            connection.answered(exchange);
        });
    }

    /** One access-log line (healthy pings are not logged); the URI and request id with control and non-ASCII characters escaped. */
    void accessLog(
            SocketAddress remote,
            HttpMethod method,
            String uri,
            HttpVersion version,
            int status,
            long startNanos,
            String requestId) {
        if (access.isInfoEnabled()) {
            access.info(
                    "{} \"{} {} {}\" {} {}ms {}",
                    remote,
                    method,
                    escape(uri),
                    version,
                    status,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos),
                    escape(requestId));
        }
    }

    /** Control characters, non-ASCII, {@code "} and {@code \} as {@code \xNN} / {@code \\uNNNN} escapes: a log line stays one line of text. */
    static String escape(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                return escapeFrom(text, i);
            }
        }
        return text;
    }

    private static String escapeFrom(String text, int from) {
        StringBuilder out = new StringBuilder(text.length() + 16).append(text, 0, from);
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\x%02x", (int) c));
            } else if (c > 0x7e) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
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
