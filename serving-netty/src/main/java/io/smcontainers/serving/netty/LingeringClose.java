package io.smcontainers.serving.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection after its last answer the way Apache's lingering close and nginx's {@code lingering_close} do:
 * our side of the stream is shut first, so the client reads the answer and then the end of the stream, and what the
 * client still sends is read and dropped until it closes its side, for at most {@link #LINGER_MILLIS}. Closing at once
 * while the client is still sending (a body refused with 413, headers dripped past the 408) leaves unread bytes in the
 * kernel, which then answers with a reset; a reset can reach the client before it has read the answer, and the client
 * sees "connection reset" instead of the 408 or 413.
 *
 * <p>Used as the listener of a connection's last write: {@code writeAndFlush(answer).addListener(LingeringClose.AFTER)}.
 */
final class LingeringClose implements ChannelFutureListener {
    static final LingeringClose AFTER = new LingeringClose();
    /** How long a closing connection keeps reading after its answer, as Apache's (2 s). */
    static final long LINGER_MILLIS = 2_000;

    static final String STAGE = "lingering-close";

    private LingeringClose() {}

    @Override
    public void operationComplete(ChannelFuture written) {
        Channel channel = written.channel();
        if (!written.isSuccess()) {
            channel.close();
            return;
        }
        start(channel);
    }

    /** On the event loop: shuts the output now and closes once the client closes, or after {@link #LINGER_MILLIS}. */
    static void start(Channel channel) {
        if (!(channel instanceof DuplexChannel duplex) || !channel.isActive() || duplex.isOutputShutdown()) {
            channel.close();
            return;
        }
        if (channel.pipeline().get(STAGE) != null) {
            return;
        }
        // First in the pipeline, so nothing the client still sends reaches the decoder or the handlers again.
        channel.pipeline().addFirst(STAGE, Discard.INSTANCE);
        var deadline = channel.eventLoop().schedule(() -> channel.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
        channel.closeFuture().addListener(closed -> deadline.cancel(false));
        duplex.shutdownOutput().addListener(shut -> {
            if (!shut.isSuccess()) {
                channel.close();
            }
        });
        // A stage may have paused reading (a client that does not read its answers); the client's end of stream must be
        // seen.
        channel.config().setAutoRead(true);
    }

    /** Drops what is read; the channel closes itself at the end of the client's stream (half-closure is not allowed). */
    @ChannelHandler.Sharable
    private static final class Discard extends ChannelInboundHandlerAdapter {
        static final Discard INSTANCE = new Discard();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            // Not passed on: the stages behind are done with this connection.
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
