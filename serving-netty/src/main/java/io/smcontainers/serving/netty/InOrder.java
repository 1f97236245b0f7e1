package io.smcontainers.serving.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * Keeps pipelined requests in order without pausing reads on every invocation: while the connection is busy (an
 * invocation or management call in flight, {@link Responses#BUSY}), the HTTP parts that arrive are held here and reading
 * pauses (so at most one read's worth is held); {@link #resume(Channel)}, called on the event loop once the busy
 * request's response is flushed, replays them until the next busy request or the end, then reading resumes. A client
 * that waits for its answer before the next request (the usual case) never pauses reads.
 */
final class InOrder extends ChannelInboundHandlerAdapter {
    static final String NAME = "in-order";

    private final ArrayDeque<Object> held = new ArrayDeque<>(4);

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!held.isEmpty() || busy(ctx.channel())) {
            held.add(msg);
            ctx.channel().config().setAutoRead(false);
            return;
        }
        ctx.fireChannelRead(msg);
    }

    /** On the event loop, after the busy request's response was flushed: clears BUSY and replays what was held. */
    static void resume(Channel channel) {
        channel.attr(Responses.BUSY).set(Boolean.FALSE);
        ChannelHandlerContext ctx = channel.pipeline().context(NAME);
        if (ctx != null) {
            ((InOrder) ctx.handler()).replay(ctx);
        }
        KeepAliveTimeout.touch(channel);
    }

    private void replay(ChannelHandlerContext ctx) {
        boolean replayed = false;
        while (!held.isEmpty() && !busy(ctx.channel())) {
            ctx.fireChannelRead(held.poll());
            replayed = true;
        }
        if (replayed) {
            ctx.fireChannelReadComplete();
        }
        if (held.isEmpty() && ctx.channel().isActive() && !ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    private static boolean busy(Channel channel) {
        return Boolean.TRUE.equals(channel.attr(Responses.BUSY).get());
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseHeld();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        releaseHeld();
        super.channelInactive(ctx);
    }

    private void releaseHeld() {
        Object msg;
        while ((msg = held.poll()) != null) {
            ReferenceCountUtil.release(msg);
        }
    }
}
