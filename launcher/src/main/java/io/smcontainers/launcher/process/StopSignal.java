package io.smcontainers.launcher.process;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * A stop request for the run (SIGTERM from SageMaker on a stop or spot interruption, SIGINT from a terminal): the one
 * place where the launcher handles signals, for {@code train} and {@code serve} (a server waits with {@link #await()}).
 *
 * <p>On a request, the running user process session gets the same signal, then SIGKILL after the grace period. Every
 * other wait and transfer of the launcher ends at once: {@link #check(String)} between steps, {@link #sleep(Duration,
 * String)} in polling loops and {@link #run(String, Work)} around blocking I/O (a download, reading a named pipe) throw
 * {@link StoppedException}. The request is remembered: the launcher reports a failure and exits with the status of a
 * process ended by that signal (143 for SIGTERM, 130 for SIGINT).
 */
public final class StopSignal {
    private static final Logger log = LoggerFactory.getLogger(StopSignal.class);

    private final Duration grace;
    private final AtomicReference<String> received = new AtomicReference<>();
    private final AtomicReference<Running> running = new AtomicReference<>();
    private final CompletableFuture<String> stopped = new CompletableFuture<>();

    public StopSignal(Duration grace) {
        this.grace = grace;
    }

    /** Handles SIGTERM and SIGINT in this JVM from now on (instead of exiting at once); a repeated signal is ignored. */
    public void install() {
        install(false);
    }

    /**
     * As {@link #install()}, but a second signal halts the JVM at once with status 128+n: for a server whose drain the
     * operator wants to cut short.
     */
    public void installHaltingOnRepeat() {
        install(true);
    }

    private void install(boolean haltOnRepeat) {
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), signal -> {
                if (haltOnRepeat && requested()) {
                    log.warn("Second SIG{}: exiting without finishing the drain", signal.getName());
                    Runtime.getRuntime().halt(128 + signal.getNumber());
                }
                request(signal.getName());
            });
        }
    }

    /** Blocks until a stop is requested. */
    public void await() throws InterruptedException {
        try {
            stopped.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("a stop request never fails", e);
        }
    }

    /**
     * Waits up to {@code timeout} for a stop request, for the launcher's own waits (polls, retries) that must end
     * at once on a stop; returns whether one was requested (at once when it already was).
     */
    public boolean await(Duration timeout) throws InterruptedException {
        try {
            stopped.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException("a stop request never fails", e);
        }
    }

    /** Completes (with the signal's name) when a stop is requested: to wait for it together with a model load. */
    public CompletableFuture<String> whenRequested() {
        return stopped;
    }

    /** Records a stop request for {@code signal} ({@code TERM}, {@code INT}) and forwards it. Idempotent. */
    public void request(String signal) {
        if (!received.compareAndSet(null, signal)) {
            return;
        }
        stopped.complete(signal);
        Running current = running.get();
        if (current == null) {
            log.warn("Received SIG{}: stopping", signal);
        } else {
            log.warn(
                    "Received SIG{}: stopping the user process (grace period {} s, then SIGKILL)",
                    signal,
                    grace.toSeconds());
            forward(current, signal);
        }
    }

    private void forward(Running current, String signal) {
        current.group().signal(signal);
        Thread killer = new Thread(() -> killAfterGrace(current), "stop-grace");
        killer.setDaemon(true);
        killer.start();
    }

    private void killAfterGrace(Running current) {
        try {
            if (!current.process().waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("The user process did not stop within {} s: sending SIGKILL", grace.toSeconds());
                current.group().signal("KILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public boolean requested() {
        return received.get() != null;
    }

    /** The signal number that was received (15 for TERM, 2 for INT), or 0. */
    public int signalNumber() {
        String name = received.get();
        return name == null ? 0 : name.equals("INT") ? 2 : 15;
    }

    /** The signal that was received ({@code SIGTERM}, {@code SIGINT}), or empty. */
    public String signalName() {
        String name = received.get();
        return name == null ? "" : "SIG" + name;
    }

    /**
     * Throws {@link StoppedException} when a stop was requested.
     *
     * @param during what the launcher is doing, for the message ("fetching the user code")
     */
    public void check(String during) {
        if (requested()) {
            throw new StoppedException(signalNumber(), signalName(), during);
        }
    }

    /** Waits {@code duration}, or less when a stop is requested, which throws {@link StoppedException}. */
    public void sleep(Duration duration, String during) {
        check(during);
        try {
            stopped.get(duration.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
        check(during);
    }

    /**
     * Runs blocking {@code work} (a download, a read that may never end) so that a stop request ends the wait at once:
     * the work runs on its own daemon thread, which is interrupted and left behind on a stop (the process exits soon).
     *
     * @throws StoppedException when a stop is requested before the work ends
     * @throws IOException the work's own I/O error
     */
    public <T> T run(String during, Work<T> work) throws IOException {
        check(during);
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread worker = new Thread(
                () -> {
                    try {
                        result.complete(work.call());
                    } catch (Throwable t) {
                        result.completeExceptionally(t);
                    }
                },
                "stoppable: " + during);
        worker.setDaemon(true);
        worker.start();
        try {
            CompletableFuture.anyOf(result, stopped).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            worker.interrupt();
            throw new IOException("interrupted while " + during, e);
        } catch (ExecutionException e) {
            // the work failed: reported below
        }
        if (!result.isDone()) {
            worker.interrupt();
            throw new StoppedException(signalNumber(), signalName(), during);
        }
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while " + during, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IOException(cause);
        }
    }

    /** Blocking work for {@link #run(String, Work)}. */
    @FunctionalInterface
    public interface Work<T> {
        T call() throws IOException;
    }

    /** The launcher stopped what it was doing because of a stop request; exit status 128 + the signal number. */
    public static final class StoppedException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int signalNumber;
        private final String signalName;
        private final String during;

        StoppedException(int signalNumber, String signalName, String during) {
            super("Training stopped: the launcher received " + signalName + " while " + during);
            this.signalNumber = signalNumber;
            this.signalName = signalName;
            this.during = during;
        }

        /** {@code SIGTERM} or {@code SIGINT}. */
        public String signalName() {
            return signalName;
        }

        /** What the launcher was doing ("reading the user code from file:///..."). */
        public String during() {
            return during;
        }

        public int signalNumber() {
            return signalNumber;
        }

        public int exitCode() {
            return 128 + signalNumber;
        }
    }

    Registration register(ProcessGroup group, Process process) {
        Running entry = new Running(group, process);
        running.set(entry);
        if (requested()) {
            // the request came between the check and the start: forward it now
            forward(entry, received.get());
        }
        return () -> running.compareAndSet(entry, null);
    }

    interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    private record Running(ProcessGroup group, Process process) {}
}
