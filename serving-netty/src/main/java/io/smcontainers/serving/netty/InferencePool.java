package io.smcontainers.serving.netty;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * W inference threads behind a bounded FIFO queue: {@link #offer} never blocks (full means 503). A worker whose handler
 * overruns its deadline by more than the grace period is retired and replaced, as gunicorn kills a silent worker.
 */
final class InferencePool {
    private static final Logger log = LoggerFactory.getLogger(InferencePool.class);

    private final ArrayBlockingQueue<Job> queue;
    private final Set<Worker> workers = ConcurrentHashMap.newKeySet();
    private final AtomicInteger ids = new AtomicInteger();
    private final AtomicInteger running = new AtomicInteger();
    /** Jobs whose handler returned a stage that is still pending (asynchronous handlers, on a worker or inline). */
    private final Set<Job> pending = ConcurrentHashMap.newKeySet();

    private volatile boolean stopping;

    InferencePool(int queueSize) {
        this.queue = new ArrayBlockingQueue<>(queueSize);
    }

    void start(int count) {
        for (int i = 0; i < count; i++) {
            startWorker(null);
        }
    }

    boolean offer(Job job) {
        return !stopping && queue.offer(job);
    }

    /**
     * Calls {@code overdue} with each job past its deadline at {@code now}: the queued ones (FIFO, so up to the first one
     * still in time) and the ones workers hold. A job may be seen again on a later call; {@link Job#expire} acts once.
     */
    void forEachOverdue(long now, java.util.function.Consumer<Job> overdue) {
        for (Job job : queue) {
            if (job.deadlineNanos - now > 0) {
                break;
            }
            overdue.accept(job);
        }
        for (Worker worker : workers) {
            Job job = worker.current;
            if (job != null && job.deadlineNanos - now <= 0) {
                overdue.accept(job);
            }
        }
        for (Job job : pending) {
            if (job.deadlineNanos - now <= 0) {
                overdue.accept(job);
            }
        }
    }

    /** A job's stage is pending after its handler call returned ({@code true}), or it completed ({@code false}). */
    void pending(Job job, boolean waiting) {
        if (waiting) {
            pending.add(job);
        } else {
            pending.remove(job);
        }
    }

    int queued() {
        return queue.size();
    }

    /** Jobs an inference thread is running. */
    int running() {
        return running.get();
    }

    /** Jobs queued, running, or waiting for their handler's stage. */
    int busy() {
        return queue.size() + running.get() + pending.size();
    }

    /** Retires the worker still stuck in this job's handler and starts a replacement (with a fresh model instance). */
    void retire(Worker worker, Job job) {
        if (worker.retired || stopping) {
            return;
        }
        worker.retired = true;
        workers.remove(worker);
        log.warn(
                "Retiring inference worker {}: its handler is still running {} s past the deadline of invocation {}; starting a replacement",
                worker.thread.getName(),
                Job.seconds(-job.remainingNanos()),
                job.exchange.requestId());
        startWorker(job.model);
    }

    private void startWorker(LoadedModel replenish) {
        Worker worker = new Worker();
        Thread thread = new Thread(() -> worker.run(replenish), "smc-inference-" + ids.incrementAndGet());
        thread.setDaemon(true);
        worker.thread = thread;
        workers.add(worker);
        thread.start();
    }

    /**
     * Stops taking new jobs, lets the queue drain for up to {@code wait}, then interrupts what still runs and answers the
     * jobs still queued with 503 (closing their connections).
     */
    void shutdown(Duration wait) throws InterruptedException {
        stopping = true;
        long deadline = System.nanoTime() + wait.toNanos();
        for (Worker worker : workers) {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                worker.thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
        for (Worker worker : workers) {
            worker.thread.interrupt();
        }
        Job left;
        while ((left = queue.poll()) != null) {
            left.rejectIfQueued(ErrorReply.of(
                            503,
                            "ServerDraining",
                            "The server is shutting down: the invocation was still queued at the drain deadline (SMC_SHUTDOWN_GRACE_SECONDS)")
                    .closing());
            left.handlerDone();
            left.model.release();
        }
    }

    /** One inference thread. */
    final class Worker {
        private Thread thread;
        private volatile boolean retired;
        private volatile Job current;

        void interrupt(Job job) {
            if (current == job) {
                thread.interrupt();
            }
        }

        private void run(LoadedModel replenish) {
            if (replenish != null) {
                replenish.replenish();
            }
            while (!retired) {
                Job job;
                try {
                    job = queue.poll(100, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    if (stopping) {
                        return;
                    }
                    continue;
                }
                if (job == null) {
                    if (stopping) {
                        return;
                    }
                    continue;
                }
                job.logContext(thread.getName());
                try {
                    execute(job);
                } finally {
                    MDC.clear();
                }
                Thread.interrupted();
            }
        }

        private void execute(Job job) {
            LoadedModel model = job.model;
            running.incrementAndGet();
            current = job;
            boolean invoked = false;
            try {
                if (!job.start(this)) {
                    return;
                }
                if (!job.channel().isActive()) {
                    job.fail(ErrorReply.of(
                            499, "ClientClosedRequest", "The client closed the connection before the invocation ran"));
                    return;
                }
                Object instance;
                try {
                    instance = model.borrow(job.remainingNanos());
                } catch (InterruptedException e) {
                    job.fail(ErrorReply.of(
                            503,
                            "ServiceUnavailable",
                            "Interrupted while waiting for an instance of model '" + model.name() + "'"));
                    return;
                }
                if (instance == null) {
                    if (model.gaveUp()) {
                        job.fail(ErrorReply.of(
                                503,
                                "ServiceUnavailable",
                                "no Python worker available: every worker of model '" + model.name()
                                        + "' failed to restart; see the log"));
                    } else {
                        job.fail(
                                ErrorReply.of(
                                        504,
                                        "InvocationTimeout",
                                        "No instance of model '" + model.name()
                                                + "' became free within the invocation timeout (SAGEMAKER_MODEL_SERVER_TIMEOUT)"));
                    }
                    return;
                }
                invoked = true;
                job.invoke(
                        instance,
                        used -> {
                            if (retired) {
                                model.discard(used); // the worker was retired meanwhile: the instance may be corrupt
                            } else {
                                model.giveBack(used);
                            }
                        },
                        InferencePool.this);
            } finally {
                current = null;
                running.decrementAndGet();
                if (!invoked) {
                    job.handlerDone();
                    model.release();
                }
            }
        }
    }
}
