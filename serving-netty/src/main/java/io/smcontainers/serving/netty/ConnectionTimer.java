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
     * @param bodyMinRate for a timer that also times request bodies ({@link #bodyBegun()}): the average rate, in bytes
     *     per second, a body must keep after its first {@code timeoutNanos}; 0 when bodies are not timed
     * @param bodyExpired what happens when a body falls below that rate (null when bodies are not timed)
     */
    record Rules(
            long timeoutNanos,
            Start start,
            boolean readsPostpone,
            boolean pausedWhileNotReading,
            Consumer<ChannelHandlerContext> expired,
            long bodyMinRate,
            Consumer<ChannelHandlerContext> bodyExpired) {
        Rules {
            requireNonNull(start, "start is null");
            requireNonNull(expired, "expired is null");
            if (bodyMinRate < 0 || (bodyMinRate > 0 && bodyExpired == null)) {
                throw new IllegalArgumentException("a timed body needs a rate >= 0 and an expiry action");
            }
        }

        Rules(
                long timeoutNanos,
                Start start,
                boolean readsPostpone,
                boolean pausedWhileNotReading,
                Consumer<ChannelHandlerContext> expired) {
            this(timeoutNanos, start, readsPostpone, pausedWhileNotReading, expired, 0, null);
        }
    }

    private final Connection connection;
    private final Rules rules;
    private ChannelHandlerContext ctx;
    private Ticker ticker = Ticker.systemTicker();
    private long since;
    private boolean counting;
    private boolean body;
    private long bodyBytes;
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
     * The request-read timeout against slowloris clients. Headers ({@code SMC_HEADER_READ_TIMEOUT_SECONDS}): from the first
     * byte of a request until its request line and headers are decoded ({@link #bodyBegun()} from
     * {@link Connection#headersRead()}). Body ({@code SMC_BODY_MIN_RATE_BYTES}, as Apache's {@code mod_reqtimeout}): from
     * then until its last byte ({@link #stop()} from {@link Connection#requestRead()}), the same time plus a second for
     * every {@code bodyMinRate} bytes received, so a body must keep that average rate after its first
     * {@code SMC_HEADER_READ_TIMEOUT_SECONDS}; 0 leaves bodies to the keep-alive timeout between reads. Past either, the
     * client gets a 408 and the connection is closed. It sits before the decoder, so it sees raw bytes; the
     * {@link Connection} says whether a read starts a new request. Time while reads are paused (a request in flight, an
     * unread answer) does not count, since the rest of the request cannot arrive then.
     */
    static ConnectionTimer headerRead(Connection connection, long timeoutNanos, long bodyMinRate, Responses responses) {
        requireNonNull(responses, "responses is null");
        long seconds = TimeUnit.NANOSECONDS.toSeconds(timeoutNanos);
        String head = "The request line and headers did not arrive within " + seconds
                + " s (SMC_HEADER_READ_TIMEOUT_SECONDS)";
        String body = "The request body arrived slower than " + bodyMinRate + " bytes/s on average after its first "
                + seconds + " s (SMC_BODY_MIN_RATE_BYTES, SMC_HEADER_READ_TIMEOUT_SECONDS)";
        return new ConnectionTimer(
                connection,
                new Rules(
                        timeoutNanos,
                        Start.REQUEST_BEGUN,
                        false,
                        true,
                        timedOut(connection, responses, head),
                        bodyMinRate,
                        bodyMinRate == 0 ? null : timedOut(connection, responses, body)));
    }

    private static Consumer<ChannelHandlerContext> timedOut(
            Connection connection, Responses responses, String message) {
        return ctx -> responses.error(
                Exchange.unparsed(connection),
                ErrorReply.of(408, "RequestTimeout", message).closing());
    }

    /** On the event loop: activity (a flushed answer) that postpones an idle deadline. */
    void touch() {
        if (rules.readsPostpone()) {
            since = ticker.nanoTime();
        }
    }

    /**
     * On the event loop: what was timed is done (the whole request was read, or its head when bodies are not timed); the
     * next start counts afresh. The scheduled check stays (a schedule and a cancel per request cost more than one idle
     * wake-up per timeout).
     */
    void stop() {
        counting = false;
        body = false;
    }

    /**
     * On the event loop: the request's head was decoded; its body is timed from now when the rules time bodies (else the
     * count ends as {@link #stop()}). {@link #stop()} ends it at the request's last byte.
     */
    void bodyBegun() {
        if (rules.bodyMinRate() == 0 || ctx == null) {
            stop();
            return;
        }
        body = true;
        bodyBytes = 0;
        begin();
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
        if (body && msg instanceof ByteBuf bytes) {
            bodyBytes += bytes.readableBytes();
        }
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
        body = false;
        if (check != null) {
            check.cancel(false);
            check = null;
        }
    }

    private void arm(long delayNanos) {
        check = ctx.executor().schedule(this::expire, delayNanos, TimeUnit.NANOSECONDS);
    }

    /** The deadline from {@code since}: the timeout, and for a body a second more per {@code bodyMinRate} bytes read. */
    private long allowedNanos() {
        if (!body) {
            return rules.timeoutNanos();
        }
        long earned = bodyBytes >= Long.MAX_VALUE / 1_000_000_000L
                ? Long.MAX_VALUE
                : bodyBytes * 1_000_000_000L / rules.bodyMinRate();
        return earned > Long.MAX_VALUE - rules.timeoutNanos() ? Long.MAX_VALUE : rules.timeoutNanos() + earned;
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
        long allowed = allowedNanos();
        if (elapsed < allowed) {
            arm(allowed - elapsed);
        } else if (body) {
            rules.bodyExpired().accept(ctx);
        } else {
            rules.expired().accept(ctx);
        }
    }
}
