package io.smcontainers.serving.netty;

import static java.nio.charset.StandardCharsets.US_ASCII;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * Answers the healthy {@code GET|HEAD /ping} and {@code GET /execution-parameters} straight after the HTTP decoder, before
 * aggregation and routing: the response is written as bytes by {@link PreEncodedAnswer} (only the request id varies),
 * the same bytes the router would send. Everything else (another phase than READY, a body, a query
 * string, an id that is not printable ASCII, a request {@link RequestChecks} refuses) goes on to the aggregator and router
 * unchanged, and so does every ping when the handler has a health check of its own ({@link HealthProbe}). It sits after
 * {@link InOrder}, so it answers only while the connection is free and writable.
 */
final class FastPath extends ChannelInboundHandlerAdapter {
    static final String NAME = "fast-path";
    private static final String JSON = "application/json";
    private static final ByteBuffer NO_BODY = ByteBuffer.allocate(0);

    private final ServerState state;
    private final Responses responses;
    private final Metrics metrics;
    /** Set after answering a request: its (empty) content parts up to the last are dropped. */
    private boolean dropContent;

    FastPath(ServerState state, Responses responses) {
        this.state = state;
        this.responses = responses;
        this.metrics = responses.metrics();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (dropContent && msg instanceof HttpContent) {
            dropContent = !(msg instanceof LastHttpContent);
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest
                && !(msg instanceof HttpContent)
                && state.phase() == ServerState.Phase.READY
                && answer(ctx, (HttpRequest) msg)) {
            dropContent = true;
            return;
        }
        ctx.fireChannelRead(msg);
    }

    private boolean answer(ChannelHandlerContext ctx, HttpRequest request) {
        if (!request.decoderResult().isSuccess()
                || !noBody(request)
                || RequestChecks.problem(request).isPresent()) {
            return false;
        }
        String uri = request.uri();
        HttpMethod method = request.method();
        boolean ping = uri.equals("/ping") && (method == HttpMethod.GET || method == HttpMethod.HEAD);
        boolean parameters = !ping && uri.equals("/execution-parameters") && method == HttpMethod.GET;
        if (!ping && !parameters
                || ping && (!state.modelHealthy() || state.health().isPresent())) {
            return false;
        }
        long start = metrics.now();
        String requestId = request.headers().get("X-Amzn-SageMaker-Inference-Id");
        if (requestId == null || requestId.isEmpty()) {
            requestId = Responses.newRequestId();
        } else if (!PreEncodedAnswer.plain(requestId)) {
            return false;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        ByteBuffer body;
        if (ping) {
            body = NO_BODY;
        } else {
            Optional<String> json = state.executionParameters();
            if (json.isEmpty()) {
                return false;
            }
            body = ByteBuffer.wrap(json.get().getBytes(US_ASCII));
            responses.accessLog(
                    ctx.channel().remoteAddress(),
                    method,
                    uri,
                    request.protocolVersion(),
                    200,
                    System.nanoTime(),
                    requestId);
        }
        metrics.answeredFast(ping, start);
        if (keepAlive) {
            PreEncodedAnswer.write(ctx, JSON, requestId, body, true, ctx.voidPromise());
        } else {
            PreEncodedAnswer.write(ctx, JSON, requestId, body, false, ctx.newPromise())
                    .addListener(LingeringClose.AFTER);
        }
        return true;
    }

    private static boolean noBody(HttpRequest request) {
        String length = request.headers().get(HttpHeaderNames.CONTENT_LENGTH);
        return (length == null || length.equals("0")) && !HttpUtil.isTransferEncodingChunked(request);
    }
}
