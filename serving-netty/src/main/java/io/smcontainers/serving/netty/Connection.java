package io.smcontainers.serving.netty;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DuplexChannel;
import java.time.Duration;

/**
 * One connection's state, and the hand-off between its pipeline stages and the threads that answer it: the request in
 * flight (an invocation or management call, from admission until its answer is flushed), its job, and where the decoder
 * is (between requests or reading one). Built per channel by {@link ServingChannelInitializer} together with the stages
 * that share it ({@link InOrder}, the keep-alive and header-read {@link ConnectionTimer}s), and carried by every
 * {@link Exchange} to the response side.
 *
 * <p>The in-flight request and its job are written on the event loop and read from workers and the shutdown thread;
 * the rest is confined to the event loop.
 */
final class Connection {
    private final Channel channel;
    private final InOrder inOrder;
    private final ConnectionTimer keepAlive;
    private final ConnectionTimer headerTimeout;
    private volatile Exchange inFlight;
    private volatile Job job;
    private boolean betweenRequests = true;
    private boolean closing;

    Connection(Channel channel, Duration keepAlive, Duration headerTimeout, int bodyMinRate, Responses responses) {
        this.channel = channel;
        this.inOrder = new InOrder(this);
        this.keepAlive = ConnectionTimer.keepAlive(this, keepAlive.toNanos());
        this.headerTimeout = ConnectionTimer.headerRead(this, headerTimeout.toNanos(), bodyMinRate, responses);
        channel.closeFuture().addListener(closed -> dropQueuedJob());
    }

    Channel channel() {
        return channel;
    }

    InOrder inOrder() {
        return inOrder;
    }

    ConnectionTimer keepAliveTimeout() {
        return keepAlive;
    }

    ConnectionTimer headerReadTimeout() {
        return headerTimeout;
    }

    /** Whether the connection's last answer is flushed and only the client's side is still open ({@link LingeringClose}). */
    boolean lingering() {
        return channel instanceof DuplexChannel duplex && duplex.isOutputShutdown();
    }

    /** Whether a request is in flight (admitted, its answer not yet flushed). */
    boolean busy() {
        return inFlight != null;
    }

    /** On the event loop: this request is in flight until its answer is flushed; later pipelined requests wait in {@link InOrder}. */
    void begin(Exchange exchange) {
        inFlight = exchange;
    }

    /** On the event loop: as {@link #begin(Exchange)}, with the job that will answer it (dropped while queued if the client goes). */
    void begin(Job queued) {
        job = queued;
        inFlight = queued.exchange;
    }

    /** The job answering {@code exchange}, or null when it is not an admitted invocation (metrics: the model it ran on). */
    Job job(Exchange exchange) {
        Job current = job;
        return current != null && current.exchange == exchange ? current : null;
    }

    /** Whether {@code exchange} is the request in flight (its answer ends the busy period). */
    boolean inFlight(Exchange exchange) {
        return inFlight == exchange;
    }

    /** On the event loop, once the in-flight request's answer is flushed: the connection is free, held requests go on. */
    void answered(Exchange exchange) {
        if (inFlight != exchange) {
            return;
        }
        inFlight = null;
        job = null;
        keepAlive.touch();
        inOrder.resume();
    }

    /** On the event loop: the decoder produced a request's head (its headers are in; its body, if any, is timed now). */
    void headersRead() {
        betweenRequests = false;
        headerTimeout.bodyBegun();
    }

    /** On the event loop: the decoder produced a request's last part. */
    void requestRead() {
        betweenRequests = true;
        headerTimeout.stop();
    }

    /** On the event loop: whether the next byte read starts a new request. */
    boolean betweenRequests() {
        return betweenRequests;
    }

    /**
     * For the drain: closes the connection once it has no request in flight and all it was sent is flushed (an empty
     * write from the head of the pipeline completes after every earlier write); an idle connection closes at once. Call
     * again after the in-flight request was answered.
     */
    void closeWhenIdle() {
        channel.eventLoop().execute(() -> {
            if (inFlight != null || closing || !channel.isOpen() || lingering()) {
                return;
            }
            closing = true;
            ChannelHandlerContext first = channel.pipeline().firstContext();
            if (first == null) {
                channel.close();
                return;
            }
            first.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        });
    }

    private void dropQueuedJob() {
        Job queued = job;
        if (queued != null) {
            queued.dropIfQueued();
        }
    }
}
