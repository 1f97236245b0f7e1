package io.smcontainers.serving.netty;

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
