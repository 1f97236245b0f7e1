package io.smcontainers.serving.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.util.Timeout;
import io.netty.util.Timer;
import io.smcontainers.framework.spi.Codecs;
import io.smcontainers.framework.spi.Payload;
import io.smcontainers.serving.netty.codec.MediaTypes;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.MDC;

/**
 * Admits an invocation: snapshots the request on the event loop, marks the connection busy with the job (later pipelined
 * requests wait in {@link InOrder}; a queued job is dropped if the client goes) and queues the job for the inference
 * pool; a full queue is an immediate 503. A non-blocking handler ({@code ModelHandler.Execution.NON_BLOCKING}) runs
 * inline instead, when a model instance is free. Deadlines cost nothing per request: one sweep on the shared timer, every
 * {@link #SWEEP_MILLIS} ms, answers 504 to the queued and running jobs past their deadline (the queue is FIFO, so it
 * stops at the first job still in time).
 */
final class InvocationDispatcher {
    static final long SWEEP_MILLIS = 10;
    private static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** The MDC {@code worker} of an invocation run inline on the event loop. */
    private static final String INLINE = "event-loop";

    private final InferencePool pool;
    private final Timer timer;
    private final Responses responses;
    private final Codecs codecs;
    private final String defaultAccept;
    private final Duration timeout;
    private final int queueSize;

    InvocationDispatcher(
            InferencePool pool,
            Timer timer,
            Responses responses,
            Codecs codecs,
            String defaultAccept,
            Duration timeout,
            int queueSize) {
        this.pool = pool;
        this.timer = timer;
        this.responses = responses;
        this.codecs = codecs;
        this.defaultAccept = defaultAccept;
        this.timeout = timeout;
        this.queueSize = queueSize;
    }

    void dispatch(FullHttpRequest request, Exchange exchange, LoadedModel model, Optional<String> modelName) {
        if (!model.acquire()) {
            responses.error(exchange, ErrorReply.of(404, "ModelNotFoundException", "Model not found: " + model.name()));
            return;
        }
        String contentType = request.headers().get("ContentType");
        if (contentType == null || contentType.isEmpty()) {
            contentType = request.headers().get("Content-Type");
        }
        if (contentType == null || contentType.isEmpty()) {
            contentType = MediaTypes.JSON;
        }
        String accept = MediaTypes.effectiveAccept(request.headers().get("Accept"), defaultAccept);
        // The body is not copied: the payload views the aggregated buffer (one contiguous buffer, see
        // PayloadAggregator),
        // two references held by the job, one for the handler side and one for the response side. The headers are read
        // by
        // the worker; nothing changes them once the request is routed.
        ByteBuf content = request.content();
        ByteBuf body = null;
        Payload payload;
        if (content.nioBufferCount() == 1) {
            body = content.retain(2);
            payload = Payload.wrap(content.nioBuffer());
        } else {
            payload = Payload.wrap(ByteBufUtil.getBytes(content));
        }
        RequestContext context =
                new RequestContext(exchange.requestId(), request.headers(), accept, defaultAccept, modelName, codecs);
        Job job = new Job(
                exchange,
                model,
                body,
                payload,
                contentType,
                accept,
                context,
                exchange.startNanos() + timeout.toNanos(),
                responses);
        exchange.connection().begin(job);
        if (model.inline() && runInline(job, model)) {
            return;
        }
        if (!pool.offer(job)) {
            job.rejectIfQueued(ErrorReply.of(
                    503,
                    "ServiceUnavailable",
                    "No worker is available to serve the request: the queue of " + queueSize
                            + " waiting invocations is full (SMC_JOB_QUEUE_SIZE). Retry later or add workers."));
            job.handlerDone();
            model.release();
        }
    }

    /**
     * A non-blocking handler runs here, on the event loop, with no hand-off: its answer is written directly when its stage
     * is already complete. False (the job goes to the pool) when no model instance is free (PER_WORKER).
     */
    private boolean runInline(Job job, LoadedModel model) {
        Object instance = model.tryBorrow();
        if (instance == null) {
            return false;
        }
        job.start(null);
        job.logContext(INLINE);
        try {
            job.invoke(instance, model::giveBack, pool);
        } finally {
            MDC.clear();
        }
        return true;
    }

    /** Starts the deadline sweep; it ends when the timer is stopped. */
    void startDeadlineSweep() {
        timer.newTimeout(this::sweep, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void sweep(Timeout self) {
        long now = System.nanoTime();
        long seconds = timeout.toSeconds();
        pool.forEachOverdue(now, job -> {
            if (job.expire(seconds)) {
                timer.newTimeout(
                        grace -> {
                            InferencePool.Worker worker = job.worker();
                            if (worker != null && job.handlerStillRunning() && job.context.onDeadline() == null) {
                                pool.retire(worker, job);
                            }
                        },
                        GRACE_NANOS,
                        TimeUnit.NANOSECONDS);
            }
        });
        try {
            timer.newTimeout(this::sweep, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
        } catch (IllegalStateException stopped) {
            // the server is shutting down: the timer no longer accepts tasks
        }
    }
}
