package io.smcontainers.serving.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.smcontainers.framework.spi.InvocationException;
import io.smcontainers.framework.spi.InvocationResponse;
import io.smcontainers.framework.spi.Payload;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One admitted invocation. Its state moves once from QUEUED to RUNNING and then to exactly one end (DONE, TIMED_OUT,
 * CANCELLED); whichever transition wins writes the only response.
 *
 * <p>The request body is the aggregated Netty buffer itself ({@link #payload} is a view of it). The job owns one reference,
 * with two holds on it: the handler side (done when the worker is done with the job, or when the job is dropped unrun)
 * and the response side (done when the response is written, since a handler may answer with a view of the request body,
 * or at once when the job ends with an error or without a response). The reference is released when both are done,
 * exactly once.
 */
final class Job {
    static final int QUEUED = 0;
    static final int RUNNING = 1;
    static final int DONE = 2;
    static final int TIMED_OUT = 3;
    static final int CANCELLED = 4;
    private static final Logger log = LoggerFactory.getLogger(Job.class);

    final Channel channel;
    final Exchange exchange;
    final LoadedModel model;
    final Payload payload;
    final String contentType;
    final String accept;
    final RequestContext context;
    final long deadlineNanos;
    private final ByteBuf body;
    private final AtomicInteger bodyHolds = new AtomicInteger(2);
    private final Responses responses;
    private final AtomicInteger state = new AtomicInteger(QUEUED);
    private volatile InferencePool.Worker worker;
    private volatile boolean returned;

    /** {@code body}: the buffer {@code payload} views, with one reference retained for this job (null when the payload owns its bytes). */
    Job(Channel channel, Exchange exchange, LoadedModel model, ByteBuf body, Payload payload, String contentType, String accept,
            RequestContext context, long deadlineNanos, Responses responses) {
        this.channel = channel;
        this.body = body;
        this.exchange = exchange;
        this.model = model;
        this.payload = payload;
        this.contentType = contentType;
        this.accept = accept;
        this.context = context;
        this.deadlineNanos = deadlineNanos;
        this.responses = responses;
    }

    long remainingNanos() {
        return deadlineNanos - System.nanoTime();
    }

    /** The worker takes the job; false when it already ended (timed out or cancelled while queued). */
    boolean start(InferencePool.Worker taker) {
        this.worker = taker;
        return state.compareAndSet(QUEUED, RUNNING);
    }

    /** The handler returned (or threw): from now on a timeout no longer concerns this job's worker. */
    void handlerReturned() {
        returned = true;
    }

    boolean handlerStillRunning() {
        return !returned;
    }

    InferencePool.Worker worker() {
        return worker;
    }

    /** One of the two holds on the request body is done: the handler side (worker) or the response side. */
    void releaseBody() {
        if (bodyHolds.decrementAndGet() == 0 && body != null) {
            body.release();
        }
    }

    void succeed(InvocationResponse response) {
        if (finish()) {
            responses.invocation(channel, exchange, response, this::releaseBody);
        }
    }

    void fail(Throwable error) {
        if (!finish()) {
            return;
        }
        releaseBody();
        if (error instanceof PythonWorker.PythonError python) {
            if (python.status >= 500) {
                log.warn("Invocation {} failed with {}: {}: {}", exchange.requestId(), python.status, python.type, python.getMessage());
            }
            responses.error(channel, exchange, python.status, python.reason, python.type, python.getMessage(), python.traceback, false, true, null);
            return;
        }
        if (error instanceof InvocationException) {
            InvocationException invocation = (InvocationException) error;
            if (invocation.status() >= 500) {
                log.warn("Invocation {} failed with {}: {}", exchange.requestId(), invocation.status(), invocation.getMessage(), error);
            }
            responses.error(channel, exchange, invocation.status(), invocation.type(), invocation.getMessage(), error, false, true, null);
            return;
        }
        if (error instanceof OutOfMemoryError) {
            log.error("Invocation {} ran out of memory", exchange.requestId(), error);
            responses.error(channel, exchange, 507, "OutOfMemoryError", "Out of resources: " + error.getMessage(), error, false, true, null);
            return;
        }
        log.warn("Invocation {} failed: {}", exchange.requestId(), error.toString(), error);
        String message = error.getMessage() == null ? error.getClass().getName() : error.getMessage();
        responses.error(channel, exchange, 500, error.getClass().getSimpleName(), message, error, false, true, null);
    }

    void fail(int status, String type, String message) {
        if (finish()) {
            releaseBody();
            responses.error(channel, exchange, status, type, message, null, false, true, null);
        }
    }

    private boolean finish() {
        return state.compareAndSet(RUNNING, DONE);
    }

    /** On the timer thread once past the deadline: answers 504; a running handler is interrupted. Returns whether it was running. */
    boolean expire(long timeoutSeconds) {
        if (state.compareAndSet(QUEUED, TIMED_OUT)) {
            respondTimeout(timeoutSeconds, "while queued");
            return false;
        }
        if (state.compareAndSet(RUNNING, TIMED_OUT)) {
            respondTimeout(timeoutSeconds, "while running");
            InferencePool.Worker running = worker;
            if (running != null && !returned) {
                Runnable action = context.onDeadline();
                if (action != null) {
                    action.run();
                } else {
                    running.interrupt(this);
                }
            }
            return true;
        }
        return false;
    }

    private void respondTimeout(long timeoutSeconds, String where) {
        releaseBody();
        log.warn("Invocation {} timed out {} after {} s", exchange.requestId(), where, timeoutSeconds);
        responses.error(channel, exchange, 504, "InvocationTimeout",
                "The model did not answer within the invocation timeout of " + timeoutSeconds
                        + " s (SAGEMAKER_MODEL_SERVER_TIMEOUT)", null, false, true, null);
    }

    /** The client went away: a queued job is dropped without running the handler. */
    void cancelIfQueued() {
        if (state.compareAndSet(QUEUED, CANCELLED)) {
            releaseBody();
            log.debug("Invocation {} dropped: the client disconnected while it was queued", exchange.requestId());
        }
    }

    static long seconds(long nanos) {
        return TimeUnit.NANOSECONDS.toSeconds(nanos);
    }
}
