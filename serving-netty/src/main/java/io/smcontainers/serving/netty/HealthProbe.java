package io.smcontainers.serving.netty;

import io.smcontainers.framework.spi.HealthCheck;
import io.smcontainers.framework.spi.InvocationResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a handler's {@link HealthCheck} for {@code /ping} (serving contract 1.4, item 5): on a thread of its own
 * ({@code smc-health}), one call at a time, pings that arrive during a call sharing its answer, each ping answered by
 * the call's deadline (one second after the call started) at the latest. A call that throws, returns {@code null} or
 * misses the deadline answers 503; a call still running past its deadline answers 503 at once to later pings, and the
 * next call starts once it has returned.
 */
final class HealthProbe implements AutoCloseable {
    static final Duration DEADLINE = Duration.ofSeconds(1);

    private static final Logger log = LoggerFactory.getLogger(HealthProbe.class);

    /** What one ping gets: the check's answer, sent as-is, or the runtime's 503. */
    sealed interface Outcome permits Healthy, Unhealthy {}

    /** The check's answer. */
    record Healthy(InvocationResponse answer) implements Outcome {}

    /** The check failed, returned nothing or missed its deadline: a 503 with the runtime's error body. */
    record Unhealthy(ErrorReply error) implements Outcome {}

    private final HealthCheck check;
    private final long deadlineNanos;
    private final ExecutorService thread;
    private Call current; // guarded by this
    private boolean failing; // on the health thread only

    HealthProbe(HealthCheck check, Duration deadline) {
        this.check = check;
        this.deadlineNanos = deadline.toNanos();
        this.thread = Executors.newSingleThreadExecutor(runnable -> {
            Thread health = new Thread(runnable, "smc-health");
            health.setDaemon(true);
            return health;
        });
    }

    /** One call of the check and the pings waiting on it. */
    private static final class Call {
        final long started = System.nanoTime();
        final CompletableFuture<InvocationResponse> result = new CompletableFuture<>();
        final AtomicBoolean overdueLogged = new AtomicBoolean();
    }

    /**
     * Answers one ping through {@code answer}, exactly once: on the thread that completes the check, on {@code timer}
     * at the deadline, or on the caller's thread when the outcome is already known.
     */
    void probe(ScheduledExecutorService timer, Consumer<Outcome> answer) {
        Call call;
        synchronized (this) {
            if (current == null || current.result.isDone()) {
                current = start();
            }
            call = current;
        }
        long left = deadlineNanos - (System.nanoTime() - call.started);
        if (left <= 0 && !call.result.isDone()) {
            answer.accept(overdue(call));
            return;
        }
        AtomicBoolean once = new AtomicBoolean();
        ScheduledFuture<?> timeout = null;
        if (!call.result.isDone()) {
            try {
                timeout = timer.schedule(
                        () -> {
                            if (once.compareAndSet(false, true)) {
                                answer.accept(overdue(call));
                            }
                        },
                        left,
                        TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) { // the event loop is shutting down
                once.set(true);
                answer.accept(new Unhealthy(ErrorReply.DRAINING));
                return;
            }
        }
        ScheduledFuture<?> deadline = timeout;
        call.result.whenComplete((response, failure) -> {
            if (!once.compareAndSet(false, true)) {
                return;
            }
            if (deadline != null) {
                deadline.cancel(false);
            }
            answer.accept(response != null ? new Healthy(response) : failed(failure));
        });
    }

    private Call start() {
        Call call = new Call();
        try {
            thread.execute(() -> run(call));
        } catch (RejectedExecutionException e) {
            call.result.completeExceptionally(e);
        }
        return call;
    }

    /**
     * On the health thread. A failure after an answer (or the first failure) is logged with its stack trace, the ones
     * that follow it at debug level, and the first answer after failures at info: a client pinging in a loop cannot fill
     * the log.
     */
    private void run(Call call) {
        try {
            InvocationResponse response = check.check();
            if (response == null) {
                throw new IllegalStateException("the health check returned no answer (null)");
            }
            if (failing) {
                failing = false;
                log.info("The model handler's health check answers again");
            }
            call.result.complete(response);
        } catch (Exception | Error e) {
            if (!failing) {
                failing = true;
                log.warn("The model handler's health check failed: /ping answers 503 until it answers", e);
            } else {
                log.debug("The model handler's health check failed again: {}", e.toString());
            }
            call.result.completeExceptionally(e);
        }
    }

    private Unhealthy overdue(Call call) {
        if (call.overdueLogged.compareAndSet(false, true)) {
            log.warn(
                    "The model handler's health check has not answered within {} ms: /ping answers 503 until it returns",
                    TimeUnit.NANOSECONDS.toMillis(deadlineNanos));
        }
        return new Unhealthy(ErrorReply.of(
                503,
                "HealthCheckTimeout",
                "The model handler's health check did not answer within " + TimeUnit.NANOSECONDS.toMillis(deadlineNanos)
                        + " ms"));
    }

    /** {@code cause}: what the call completed with (its own exception: the result is completed directly). */
    private static Unhealthy failed(Throwable cause) {
        if (cause instanceof RejectedExecutionException) {
            return new Unhealthy(ErrorReply.DRAINING);
        }
        return new Unhealthy(ErrorReply.of(
                        503,
                        "HealthCheckFailed",
                        "The model handler's health check failed ("
                                + cause.getClass().getName() + "); see the container log")
                .because(cause));
    }

    /** Stops the health thread (interrupting a call in progress); later pings answer 503. */
    @Override
    public void close() {
        thread.shutdownNow();
    }
}
