package io.smcontainers.serving.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;

/**
 * Netty's aggregator with the runtime's 413 body. Like Netty: a declared Content-Length over the limit is refused before
 * the body is buffered and, for a keep-alive request, the rest of the body is discarded and the connection kept; a
 * body that outgrows the limit mid-stream (chunked) ends with the connection closed.
 *
 * <p>A body that arrived in several reads is merged into one pooled buffer once aggregated (one copy), so that handlers
 * get it as one {@code ByteBuffer} view ({@code Payload.asByteBuffer()}) and an echo writes it back without copying.
 */
final class PayloadAggregator extends HttpObjectAggregator {
    private final Responses responses;
    private final long limit;

    PayloadAggregator(int maxContentLength, Responses responses) {
        super(maxContentLength, true);
        this.responses = responses;
        this.limit = maxContentLength;
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
        Exchange exchange = new Exchange(Responses.newRequestId(), request.method(), request.uri(), request.protocolVersion(),
                HttpUtil.isKeepAlive(request), System.nanoTime());
        responses.error(ctx.channel(), exchange, 413, "RequestEntityTooLarge",
                "The request body exceeds the limit of " + limit + " bytes (SAGEMAKER_MAX_PAYLOAD_IN_MB)", null, close);
    }
}
