package io.smcontainers.serving.netty;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Ticker;
import java.util.concurrent.TimeUnit;

/**
 * The keep-alive timeout: closes a connection that has had nothing read and no in-flight answer flushed for the timeout
 * and has no request in flight ({@link Connection#busy()}); busy connections are never closed. One timer per
 * connection, re-armed when it fires (not per read or write, unlike {@code IdleStateHandler}, which also adds a listener
 * to every write). A client that stops reading its answers also stops being read from ({@link InOrder}), so it is idle
 * here and closed after the timeout.
 */
final class KeepAliveTimeout extends ChannelInboundHandlerAdapter {
    static final String NAME = "keep-alive";

    private final Connection connection;
    private final long timeoutNanos;
    private Ticker ticker = Ticker.systemTicker();
    private long lastActivity;
    private Future<?> check;

    KeepAliveTimeout(Connection connection, long timeoutNanos) {
        this.connection = connection;
        this.timeoutNanos = timeoutNanos;
    }

    /** Counts a flushed answer as activity (called on the event loop). */
    void touch() {
        lastActivity = ticker.nanoTime();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        ticker = ctx.executor().ticker();
        lastActivity = ticker.nanoTime();
        if (ctx.channel().isActive() && ctx.channel().isRegistered()) {
            arm(ctx, timeoutNanos);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        if (check == null) {
            lastActivity = ticker.nanoTime();
            arm(ctx, timeoutNanos);
        }
        super.channelActive(ctx);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        lastActivity = ticker.nanoTime();
        super.channelReadComplete(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancel();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }

    private void cancel() {
        if (check != null) {
            check.cancel(false);
        }
    }

    private void arm(ChannelHandlerContext ctx, long delayNanos) {
        check = ctx.executor().schedule(() -> expire(ctx), delayNanos, TimeUnit.NANOSECONDS);
    }

    private void expire(ChannelHandlerContext ctx) {
        if (!ctx.channel().isOpen()) {
            return;
        }
        if (connection.busy()) {
            arm(ctx, timeoutNanos);
            return;
        }
        long idle = ticker.nanoTime() - lastActivity;
        if (idle >= timeoutNanos) {
            ctx.close();
        } else {
            arm(ctx, timeoutNanos - idle);
        }
    }
}
