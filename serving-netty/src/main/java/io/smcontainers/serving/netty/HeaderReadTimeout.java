package io.smcontainers.serving.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The header-read timeout against slowloris clients ({@code SMC_HEADER_READ_TIMEOUT_SECONDS}): from the first byte of
 * a request until its request line and headers are decoded ({@link Connection#headersRead()}); past it the client gets
 * a 408 and the connection is closed. It sits before the decoder, so it sees raw bytes; the {@link Connection} says
 * whether a read starts a new request. Time while reads are paused (a request in flight, an unread answer) does not
 * count, since the rest of the headers cannot arrive then. Bodies are not covered: their pace is bounded by the
 * keep-alive timeout between reads.
 */
final class HeaderReadTimeout extends ChannelInboundHandlerAdapter {
    static final String NAME = "header-timeout";

    private final Connection connection;
    private final long timeoutNanos;
    private final Responses responses;
    private ChannelHandlerContext ctx;
    private Future<?> check;

    HeaderReadTimeout(Connection connection, long timeoutNanos, Responses responses) {
        this.connection = connection;
        this.timeoutNanos = timeoutNanos;
        this.responses = responses;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext added) {
        this.ctx = added;
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object msg) {
        if (check == null && msg instanceof ByteBuf && ((ByteBuf) msg).isReadable() && connection.betweenRequests()) {
            arm();
        }
        context.fireChannelRead(msg);
    }

    /** On the event loop: the request's head was decoded in time. */
    void headersRead() {
        cancel();
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) throws Exception {
        cancel();
        super.channelInactive(context);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext context) {
        cancel();
    }

    private void cancel() {
        if (check != null) {
            check.cancel(false);
            check = null;
        }
    }

    private void arm() {
        check = ctx.executor().schedule(this::expire, timeoutNanos, TimeUnit.NANOSECONDS);
    }

    private void expire() {
        check = null;
        if (!ctx.channel().isOpen()) {
            return;
        }
        if (connection.busy() || !ctx.channel().config().isAutoRead()) {
            arm();
            return;
        }
        responses.error(Exchange.unparsed(connection), ErrorReply.of(408, "RequestTimeout", "The request line and headers did not arrive within "
                + TimeUnit.NANOSECONDS.toSeconds(timeoutNanos) + " s (SMC_HEADER_READ_TIMEOUT_SECONDS)").closing());
    }
}
