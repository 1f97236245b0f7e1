package io.smcontainers.launcher.logging;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One INFO line per interval while a long step with no byte count of its own runs (a pip install):
 * {@code pip install -r requirements.txt: still running, 20.0 s elapsed}. Close it when the step ends.
 */
public final class Heartbeat implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Heartbeat.class);

    private final CountDownLatch done = new CountDownLatch(1);
    private final Thread thread;

    private Heartbeat(String what, Duration interval) {
        long started = System.nanoTime();
        thread = new Thread(
                () -> {
                    try {
                        while (!done.await(interval.toNanos(), TimeUnit.NANOSECONDS)) {
                            log.info(
                                    "{}: still running, {} s elapsed",
                                    what,
                                    String.format(Locale.ROOT, "%.1f", (System.nanoTime() - started) / 1e9));
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "heartbeat");
        thread.setDaemon(true);
    }

    public static Heartbeat start(String what, Duration interval) {
        Heartbeat heartbeat = new Heartbeat(what, interval);
        heartbeat.thread.start();
        return heartbeat;
    }

    /** Stops the lines; when it returns, no further line is written (the thread has ended, or is stuck in logging for a second). */
    @Override
    public void close() {
        done.countDown();
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
