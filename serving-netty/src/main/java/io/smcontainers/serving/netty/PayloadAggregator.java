package io.smcontainers.serving.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;

/**
 * Netty's aggregator with the runtime's error answers. Like Netty: a declared Content-Length over the limit is refused
 * before the body is buffered and, for a keep-alive request, the rest of the body is discarded and the connection kept; a
 * body that outgrows the limit mid-stream (chunked) ends with the connection closed; {@code Expect: 100-continue} over
 * the limit is 413 and any other expectation 417, the connection closed. Every one of those answers has the runtime's
 * JSON error body, request id and Connection header ({@link Responses#errorResponse}). The limit is the payload limit,
 * or {@link #LOAD_LIMIT} for a multi-model load ({@code POST /models}), whose body is a small JSON object.
 *
 * <p>A body that arrived in several reads is merged into one pooled buffer once aggregated (one copy), so that handlers
 * get it as one {@code ByteBuffer} view ({@code Payload.asByteBuffer()}) and an echo writes it back without copying.
 */
final class PayloadAggregator extends HttpObjectAggregator {
    /** The body limit of a multi-model load request. */
    static final int LOAD_LIMIT = 64 * 1024;

    private final Connection connection;
    private final Responses responses;
    private final int limit;
    private final boolean multiModel;

    PayloadAggregator(Connection connection, int maxContentLength, Responses responses, boolean multiModel) {
        super(maxContentLength, true);
        this.connection = connection;
        this.responses = responses;
        this.limit = maxContentLength;
        this.multiModel = multiModel;
    }

    /** Whether this request is a multi-model load ({@code POST /models}). */
    static boolean isLoad(HttpRequest request, boolean multiModel) {
        return multiModel
                && request.method().equals(HttpMethod.POST)
                && RequestRouter.path(request.uri()).equals("/models");
    }

    private int limit(HttpMessage message) {
        return message instanceof HttpRequest && isLoad((HttpRequest) message, multiModel)
                ? Math.min(limit, LOAD_LIMIT)
                : limit;
    }

    @Override
    protected boolean isContentLengthInvalid(HttpMessage start, int maxContentLength) {
        return super.isContentLengthInvalid(start, limit(start));
    }

    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        String expect = start.headers().get(HttpHeaderNames.EXPECT);
        Object answer = super.newContinueResponse(start, limit(start), pipeline);
        if (!(answer instanceof HttpResponse)
                || !(start instanceof HttpRequest)
                || ((HttpResponse) answer).status().code() == HttpResponseStatus.CONTINUE.code()) {
            return answer;
        }
        int status = ((HttpResponse) answer).status().code();
        ReferenceCountUtil.release(answer);
        HttpRequest request = (HttpRequest) start;
        ErrorReply reply = status == HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE.code()
                ? tooLarge(request)
                : ErrorReply.of(
                        status,
                        "ExpectationFailed",
                        "Unsupported expectation: Expect: " + expect + " (only 100-continue is supported)");
        return responses.errorResponse(Exchange.of(connection, request), reply.closing());
    }

    @Override
    protected void finishAggregation(FullHttpMessage aggregated) throws Exception {
        super.finishAggregation(aggregated);
        ByteBuf content = aggregated.content();
        if (content instanceof CompositeByteBuf && ((CompositeByteBuf) content).numComponents() > 1) {
            ((CompositeByteBuf) content).consolidate();
        }
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) throws Exception {
        if (!(oversized instanceof HttpRequest)) {
            super.handleOversizedMessage(ctx, oversized);
            return;
        }
        HttpRequest request = (HttpRequest) oversized;
        boolean close = oversized instanceof FullHttpMessage
                || (!HttpUtil.is100ContinueExpected(oversized) && !HttpUtil.isKeepAlive(oversized));
        ErrorReply reply = tooLarge(request);
        responses.error(Exchange.of(connection, request), close ? reply.closing() : reply);
    }

    private ErrorReply tooLarge(HttpRequest request) {
        return isLoad(request, multiModel)
                ? ErrorReply.of(
                        413,
                        "RequestEntityTooLarge",
                        "A model load request body is at most " + limit(request) + " bytes")
                : ErrorReply.of(
                        413,
                        "RequestEntityTooLarge",
                        "The request body exceeds the limit of " + limit + " bytes (SAGEMAKER_MAX_PAYLOAD_IN_MB)");
    }
}
