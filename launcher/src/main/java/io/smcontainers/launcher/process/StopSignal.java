package io.smcontainers.launcher.process;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * A stop request for the run (SIGTERM from SageMaker on a stop or spot interruption, SIGINT from a terminal): the one
 * place where the launcher handles signals, for {@code train} and {@code serve}.
 *
 * <p>On a request, the running user process group gets the same signal, then SIGKILL after the grace period. Later
 * steps see {@link #requested()} and start nothing new; a server waits for it with {@link #await()}. The request is
 * remembered: the launcher reports a failure and exits with the status of a process ended by that signal.
 */
public final class StopSignal {
    private static final Logger log = LoggerFactory.getLogger(StopSignal.class);

    private final Duration grace;
    private final AtomicReference<String> received = new AtomicReference<>();
    private final AtomicReference<Running> running = new AtomicReference<>();
    private final CountDownLatch stopped = new CountDownLatch(1);

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
        stopped.await();
    }

    /** Records a stop request for {@code signal} ({@code TERM}, {@code INT}) and forwards it. Idempotent. */
    public void request(String signal) {
        if (!received.compareAndSet(null, signal)) {
            return;
        }
        stopped.countDown();
        Running current = running.get();
        if (current == null) {
            log.warn("Received SIG{}: stopping", signal);
        } else {
            log.warn("Received SIG{}: stopping the user process (grace period {} s, then SIGKILL)", signal, grace.toSeconds());
            current.group().signal(signal);
            Thread killer = new Thread(() -> killAfterGrace(current), "stop-grace");
            killer.setDaemon(true);
            killer.start();
        }
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

    Registration register(ProcessGroup group, Process process) {
        Running entry = new Running(group, process);
        running.set(entry);
        if (requested()) {
            // the request came between the check and the start: forward it now
            group.signal(received.get());
            Thread killer = new Thread(() -> killAfterGrace(entry), "stop-grace");
            killer.setDaemon(true);
            killer.start();
        }
        return () -> running.compareAndSet(entry, null);
    }

    interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    private record Running(ProcessGroup group, Process process) {}
}
