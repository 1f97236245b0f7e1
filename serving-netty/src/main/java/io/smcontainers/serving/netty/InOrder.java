package io.smcontainers.serving.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * Keeps pipelined requests in order and bounds what a connection costs: while a request is in flight
 * ({@link Connection#busy()}) or the channel is not writable (its outbound bytes are above the high-water mark because
 * the client does not read its answers), the HTTP parts that arrive are held here and reading pauses, so at most one
 * read's worth is held. They are replayed, and reading resumes, once the in-flight answer is flushed
 * ({@link #resume()}) and the channel is writable again. A client that reads its answers and waits for each before the
 * next request (the usual case) never pauses reads. Also tells the {@link Connection} where the decoder is (a request's
 * head read, its last part read), for the header-read timeout.
 */
final class InOrder extends ChannelInboundHandlerAdapter {
    static final String NAME = "in-order";

    private final Connection connection;
    private final ArrayDeque<Object> held = new ArrayDeque<>(4);
    private ChannelHandlerContext ctx;

    InOrder(Connection connection) {
        this.connection = connection;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext added) {
        this.ctx = added;
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object msg) {
        if (msg instanceof HttpRequest) {
            connection.headersRead();
        }
        if (msg instanceof LastHttpContent) {
            connection.requestRead();
        }
        if (!held.isEmpty() || mustWait(context.channel())) {
            held.add(msg);
            context.channel().config().setAutoRead(false);
            return;
        }
        context.fireChannelRead(msg);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext context) throws Exception {
        if (context.channel().isWritable()) {
            replay(context);
        }
        super.channelWritabilityChanged(context);
    }

    /** On the event loop, after the in-flight request's answer was flushed: replays what was held. */
    void resume() {
        if (ctx != null) {
            replay(ctx);
        }
    }

    /** This stage's context (set once the stage is added): writes from it go past the HTTP encoder. */
    ChannelHandlerContext context() {
        return ctx;
    }

    /** How many HTTP parts are held (for tests). */
    int held() {
        return held.size();
    }

    private boolean mustWait(Channel channel) {
        return connection.busy() || !channel.isWritable();
    }

    private void replay(ChannelHandlerContext context) {
        boolean replayed = false;
        while (!held.isEmpty() && !mustWait(context.channel())) {
            context.fireChannelRead(held.poll());
            replayed = true;
        }
        if (replayed) {
            context.fireChannelReadComplete();
        }
        if (held.isEmpty()
                && context.channel().isActive()
                && !context.channel().config().isAutoRead()) {
            context.channel().config().setAutoRead(true);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext context) {
        releaseHeld();
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) throws Exception {
        releaseHeld();
        super.channelInactive(context);
    }

    private void releaseHeld() {
        Object msg;
        while ((msg = held.poll()) != null) {
            ReferenceCountUtil.release(msg);
        }
    }
}
