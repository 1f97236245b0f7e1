package io.smcontainers.serving.netty;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Ticker;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One deadline on a connection, configured per use ({@link #keepAlive}, {@link #headerRead}): it starts counting when
 * the connection opens or when the first byte of a request arrives, reads may postpone it, and it never fires while a
 * request is in flight ({@link Connection#busy()}) nor, if so configured, while reads are paused (then the client
 * cannot make progress). One scheduled check per connection, re-armed when it fires early, not per read, write or
 * request (unlike {@code IdleStateHandler}, which also adds a listener to every write): stopping only marks the count
 * ended, and the pending check, when it fires, finds nothing to do; the next start reuses it. All on the event loop.
 */
final class ConnectionTimer extends ChannelInboundHandlerAdapter {
    static final String KEEP_ALIVE = "keep-alive";
    static final String HEADER_READ = "header-timeout";

    /** When the timer starts counting. */
    enum Start {
        /** When the connection is open. */
        CONNECTED,
        /** On a byte read between requests (the first byte of the next request). */
        REQUEST_BEGUN
    }

    /**
     * How one use of the timer behaves.
     *
     * @param timeoutNanos the deadline, from the start or from the last activity
     * @param start when it starts counting
     * @param readsPostpone whether a read (and {@link #touch()}) restarts the count: an idle timeout
     * @param pausedWhileNotReading whether the deadline waits while the connection's reads are paused
     * @param expired what happens at the deadline (the channel is open and not busy then)
     */
    record Rules(
            long timeoutNanos,
            Start start,
            boolean readsPostpone,
            boolean pausedWhileNotReading,
            Consumer<ChannelHandlerContext> expired) {
        Rules {
            requireNonNull(start, "start is null");
            requireNonNull(expired, "expired is null");
        }
    }

    private final Connection connection;
    private final Rules rules;
    private ChannelHandlerContext ctx;
    private Ticker ticker = Ticker.systemTicker();
    private long since;
    private boolean counting;
    private Future<?> check;

    ConnectionTimer(Connection connection, Rules rules) {
        this.connection = requireNonNull(connection, "connection is null");
        this.rules = requireNonNull(rules, "rules is null");
    }

    /**
     * The keep-alive timeout ({@code SMC_KEEP_ALIVE_SECONDS}): closes a connection that has had nothing read and no answer
     * flushed for the timeout and has no request in flight; busy connections are never closed. A client that stops reading
     * its answers also stops being read from ({@link InOrder}), so it is idle here and closed after the timeout.
     */
    static ConnectionTimer keepAlive(Connection connection, long timeoutNanos) {
        return new ConnectionTimer(
                connection, new Rules(timeoutNanos, Start.CONNECTED, true, false, ChannelHandlerContext::close));
    }

    /**
     * The header-read timeout against slowloris clients ({@code SMC_HEADER_READ_TIMEOUT_SECONDS}): from the first byte of a
     * request until its request line and headers are decoded ({@link #stop()} from {@link Connection#headersRead()}); past it
     * the client gets a 408 and the connection is closed. It sits before the decoder, so it sees raw bytes; the
     * {@link Connection} says whether a read starts a new request. Time while reads are paused (a request in flight, an
     * unread answer) does not count, since the rest of the headers cannot arrive then. Bodies are not covered: their pace is
     * bounded by the keep-alive timeout between reads.
     */
    static ConnectionTimer headerRead(Connection connection, long timeoutNanos, Responses responses) {
        requireNonNull(responses, "responses is null");
        String message = "The request line and headers did not arrive within "
                + TimeUnit.NANOSECONDS.toSeconds(timeoutNanos) + " s (SMC_HEADER_READ_TIMEOUT_SECONDS)";
        return new ConnectionTimer(
                connection,
                new Rules(
                        timeoutNanos,
                        Start.REQUEST_BEGUN,
                        false,
                        true,
                        ctx -> responses.error(
                                Exchange.unparsed(connection),
                                ErrorReply.of(408, "RequestTimeout", message).closing())));
    }

    /** On the event loop: activity (a flushed answer) that postpones an idle deadline. */
    void touch() {
        if (rules.readsPostpone()) {
            since = ticker.nanoTime();
        }
    }

    /**
     * On the event loop: what was timed is done (the request's head was decoded); the next start counts afresh. The
     * scheduled check stays (a schedule and a cancel per request cost more than one idle wake-up per timeout).
     */
    void stop() {
        counting = false;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext added) {
        ctx = added;
        ticker = added.executor().ticker();
        since = ticker.nanoTime();
        if (rules.start() == Start.CONNECTED
                && added.channel().isActive()
                && added.channel().isRegistered()) {
            begin();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext context) throws Exception {
        if (rules.start() == Start.CONNECTED && !counting) {
            begin();
        }
        super.channelActive(context);
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object msg) {
        if (rules.start() == Start.REQUEST_BEGUN
                && !counting
                && msg instanceof ByteBuf
                && ((ByteBuf) msg).isReadable()
                && connection.betweenRequests()) {
            begin();
        }
        context.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext context) throws Exception {
        touch();
        super.channelReadComplete(context);
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

    private void begin() {
        since = ticker.nanoTime();
        counting = true;
        if (check == null) {
            arm(rules.timeoutNanos());
        }
    }

    private void cancel() {
        counting = false;
        if (check != null) {
            check.cancel(false);
            check = null;
        }
    }

    private void arm(long delayNanos) {
        check = ctx.executor().schedule(this::expire, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void expire() {
        check = null;
        if (!counting || !ctx.channel().isOpen()) {
            return;
        }
        if (connection.busy()
                || (rules.pausedWhileNotReading() && !ctx.channel().config().isAutoRead())) {
            arm(rules.timeoutNanos());
            return;
        }
        long elapsed = ticker.nanoTime() - since;
        if (elapsed >= rules.timeoutNanos()) {
            rules.expired().accept(ctx);
        } else {
            arm(rules.timeoutNanos() - elapsed);
        }
    }
}
