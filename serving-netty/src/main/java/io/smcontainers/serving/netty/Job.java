package io.smcontainers.serving.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.smcontainers.framework.spi.InvocationException;
import io.smcontainers.framework.spi.InvocationResponse;
import io.smcontainers.framework.spi.Payload;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One admitted invocation. Its state moves once from {@link State#QUEUED} to {@link State#RUNNING} and then to exactly one
 * end ({@link State#DONE}, {@link State#TIMED_OUT}, {@link State#CANCELLED}), or straight from QUEUED to an end; whichever
 * transition wins writes the only response.
 *
 * <p>The request body is the aggregated Netty buffer itself ({@link #payload} is a view of it). The job holds two of its
 * references: one for the handler side, released by {@link #handlerDone()} when the worker is done with the job (or when
 * the job is dropped unrun), and one for the response side, released when the response is written (a handler may answer
 * with a view of the request body) or at once when the job ends with an error or without a response.
 *
 * <p>{@link #invoke} calls the handler ({@code transformAsync}) on an inference worker or, for a non-blocking handler,
 * inline on the event loop; the job ends when the returned stage completes, at once for a synchronous handler. A stage
 * still pending when the call returns is tracked by the pool's deadline sweep until it completes.
 */
final class Job {
    /** Where a job is in its life. */
    enum State {
        QUEUED,
        RUNNING,
        DONE,
        TIMED_OUT,
        CANCELLED
    }

    private static final Logger log = LoggerFactory.getLogger(Job.class);

    final Exchange exchange;
    final LoadedModel model;
    final Payload payload;
    final String contentType;
    final String accept;
    final RequestContext context;
    final long deadlineNanos;
    private final ByteBuf body;
    private final Responses responses;
    private final AtomicReference<State> state = new AtomicReference<>(State.QUEUED);
    private volatile InferencePool.Worker worker;
    private volatile boolean returned;
    /** The handler's stage while it is pending after the call returned (cancelled at the deadline). */
    private volatile CompletionStage<InvocationResponse> pending;

    /**
     * @param body the buffer {@code payload} views, with two references retained for this job (handler and response
     *     side); null when the payload owns its bytes
     */
    Job(
            Exchange exchange,
            LoadedModel model,
            ByteBuf body,
            Payload payload,
            String contentType,
            String accept,
            RequestContext context,
            long deadlineNanos,
            Responses responses) {
        this.exchange = exchange;
        this.body = body;
        this.model = model;
        this.payload = payload;
        this.contentType = contentType;
        this.accept = accept;
        this.context = context;
        this.deadlineNanos = deadlineNanos;
        this.responses = responses;
    }

    Channel channel() {
        return exchange.connection().channel();
    }

    State state() {
        return state.get();
    }

    long remainingNanos() {
        return deadlineNanos - System.nanoTime();
    }

    /** The worker takes the job; false when it already ended (timed out or cancelled while queued). */
    boolean start(InferencePool.Worker taker) {
        this.worker = taker;
        return state.compareAndSet(State.QUEUED, State.RUNNING);
    }

    /**
     * Calls the handler with a borrowed model instance ({@code transformAsync}; the caller has set the MDC keys, see
     * {@link #logContext}). When its stage completes (at once for a synchronous handler, on this thread) the job is
     * answered, {@code giveBack} takes the instance, the handler side releases the body and the model counts the
     * invocation done; {@code pool} tracks a stage still pending when the call returns, for the deadline sweep.
     */
    void invoke(Object instance, Consumer<Object> giveBack, InferencePool pool) {
        CompletionStage<InvocationResponse> stage;
        try {
            stage = model.handler().transformAsync(instance, payload, contentType, accept, context);
        } catch (Throwable error) {
            handlerReturned();
            completed(null, error, instance, giveBack);
            return;
        }
        handlerReturned();
        if (stage == null) {
            completed(null, null, instance, giveBack);
            return;
        }
        if (stage instanceof CompletableFuture<InvocationResponse> done
                && done.isDone()
                && !done.isCompletedExceptionally()) {
            completed(done.getNow(null), null, instance, giveBack); // the synchronous form: no callback, no tracking
            return;
        }
        pending = stage;
        pool.pending(this, true);
        String thread = MDC.get("worker");
        stage.whenComplete((response, error) -> {
            pending = null;
            pool.pending(this, false);
            // the completing thread may be the handler's own, with MDC keys of its own: put them back afterwards
            java.util.Map<String, String> own = MDC.getCopyOfContextMap();
            logContext(thread);
            try {
                completed(response, error, instance, giveBack);
            } finally {
                if (own == null) {
                    MDC.clear();
                } else {
                    MDC.setContextMap(own);
                }
            }
        });
    }

    /** Sets the MDC keys of this invocation's log lines (the handler's own included) on the current thread, for SMC_LOG_FORMAT=json. */
    void logContext(String thread) {
        MDC.put("request_id", exchange.requestId());
        MDC.put("model", model.name());
        MDC.put("worker", thread);
    }

    private void completed(InvocationResponse response, Throwable error, Object instance, Consumer<Object> giveBack) {
        try {
            if (error != null) {
                fail(error instanceof CompletionException && error.getCause() != null ? error.getCause() : error);
            } else if (response == null) {
                fail(ErrorReply.of(500, "InvalidHandlerResult", "The model handler returned no response (null)"));
            } else {
                succeed(response);
            }
        } finally {
            try {
                giveBack.accept(instance);
            } finally {
                handlerDone();
                model.release();
            }
        }
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

    /** The handler side is done with the request body: the worker finished the job, or the job was dropped unrun. Once per job. */
    void handlerDone() {
        if (body != null) {
            body.release();
        }
    }

    /** The response side is done with the request body. Called once, by whichever transition ended the job. */
    private void responseDone() {
        if (body != null) {
            body.release();
        }
    }

    void succeed(InvocationResponse response) {
        if (finish()) {
            responses.invocation(exchange, response, this::responseDone);
        }
    }

    void fail(Throwable error) {
        if (!finish()) {
            return;
        }
        responseDone();
        if (error instanceof PythonWorker.PythonError python) {
            if (python.status >= 500) {
                log.warn(
                        "Invocation {} failed with {}: {}: {}",
                        exchange.requestId(),
                        python.status,
                        python.type,
                        python.getMessage());
            }
            responses.error(
                    exchange,
                    ErrorReply.of(python.status, python.type, python.getMessage())
                            .withReason(python.reason)
                            .withTrace(python.traceback));
            return;
        }
        if (error instanceof InvocationException) {
            InvocationException invocation = (InvocationException) error;
            if (invocation.status() >= 500) {
                log.warn(
                        "Invocation {} failed with {}: {}",
                        exchange.requestId(),
                        invocation.status(),
                        invocation.getMessage(),
                        error);
            }
            responses.error(
                    exchange,
                    ErrorReply.of(invocation.status(), invocation.type(), invocation.getMessage())
                            .because(error));
            return;
        }
        if (error instanceof OutOfMemoryError) {
            log.error("Invocation {} ran out of memory", exchange.requestId(), error);
            responses.error(
                    exchange,
                    ErrorReply.of(507, "OutOfMemoryError", "Out of resources: " + error.getMessage())
                            .because(error));
            return;
        }
        log.warn("Invocation {} failed: {}", exchange.requestId(), error.toString(), error);
        String message = error.getMessage() == null ? error.getClass().getName() : error.getMessage();
        responses.error(
                exchange,
                ErrorReply.of(500, error.getClass().getSimpleName(), message).because(error));
    }

    void fail(ErrorReply reply) {
        if (finish()) {
            responseDone();
            responses.error(exchange, reply);
        }
    }

    private boolean finish() {
        return state.compareAndSet(State.RUNNING, State.DONE);
    }

    /** On the timer thread once past the deadline: answers 504; a running handler is interrupted. Returns whether it was running. */
    boolean expire(long timeoutSeconds) {
        if (state.compareAndSet(State.QUEUED, State.TIMED_OUT)) {
            respondTimeout(timeoutSeconds, "while queued");
            return false;
        }
        if (state.compareAndSet(State.RUNNING, State.TIMED_OUT)) {
            respondTimeout(timeoutSeconds, "while running");
            CompletionStage<InvocationResponse> stage = pending;
            if (stage instanceof CompletableFuture<InvocationResponse> future) {
                future.cancel(true);
            }
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
        responseDone();
        log.warn("Invocation {} timed out {} after {} s", exchange.requestId(), where, timeoutSeconds);
        responses.error(
                exchange,
                ErrorReply.of(
                        504,
                        "InvocationTimeout",
                        "The model did not answer within the invocation timeout of " + timeoutSeconds
                                + " s (SAGEMAKER_MODEL_SERVER_TIMEOUT)"));
    }

    /** The client went away: a queued job is dropped without running the handler and without an answer. */
    void dropIfQueued() {
        if (state.compareAndSet(State.QUEUED, State.CANCELLED)) {
            responseDone();
            log.debug("Invocation {} dropped: the client disconnected while it was queued", exchange.requestId());
        }
    }

    /** A queued job that will not run (queue full, drain deadline) is answered with {@code reply}; false when it already ended. */
    boolean rejectIfQueued(ErrorReply reply) {
        if (!state.compareAndSet(State.QUEUED, State.CANCELLED)) {
            return false;
        }
        responseDone();
        responses.error(exchange, reply);
        return true;
    }

    static long seconds(long nanos) {
        return TimeUnit.NANOSECONDS.toSeconds(nanos);
    }
}
