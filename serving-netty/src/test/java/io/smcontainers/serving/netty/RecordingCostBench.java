package io.smcontainers.serving.netty;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * bench/metrics.sh's second half: the CPU cost of recording one answer, {@link Metrics#NONE} against
 * {@link PrometheusMetrics}, on two threads at once (the event loops and inference threads record concurrently), in
 * the same run. Not a test: {@code java -cp ... io.smcontainers.serving.netty.RecordingCostBench [millions per thread]}.
 */
public final class RecordingCostBench {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private RecordingCostBench() {}

    public static void main(String[] args) throws Exception {
        long perThread = (long) (Double.parseDouble(args.length > 0 ? args[0] : "20") * 1_000_000);
        EmbeddedChannel channel = new EmbeddedChannel();
        Connection connection = new Connection(
                channel, Duration.ofSeconds(60), Duration.ofSeconds(60), 500, new Responses(() -> false, false));
        Exchange invocation = new Exchange(
                connection, "id", HttpMethod.POST, "/invocations", HttpVersion.HTTP_1_1, true, System.nanoTime());
        Metrics on = new PrometheusMetrics();
        for (int round = 0; round < 3; round++) {
            double off = nanosPerAnswer(Metrics.NONE, invocation, perThread);
            double recorded = nanosPerAnswer(on, invocation, perThread);
            System.out.printf(
                    "round %d: off %.1f ns of CPU per answer, on %.1f (2 threads at once)%n", round + 1, off, recorded);
        }
        channel.finishAndReleaseAll();
    }

    /** CPU time (not wall time: the machine may be busy) per answer, averaged over both threads. */
    private static double nanosPerAnswer(Metrics metrics, Exchange exchange, long perThread)
            throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        AtomicLong cpu = new AtomicLong();
        for (int t = 0; t < 2; t++) {
            Thread thread = new Thread(() -> {
                long start = THREADS.getCurrentThreadCpuTime();
                for (long i = 0; i < perThread; i++) {
                    metrics.answered(exchange, i % 16 == 0 ? 404 : 200);
                }
                cpu.addAndGet(THREADS.getCurrentThreadCpuTime() - start);
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        return (double) cpu.get() / (2 * perThread);
    }
}
