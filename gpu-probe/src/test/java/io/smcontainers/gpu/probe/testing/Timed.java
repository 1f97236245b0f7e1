package io.smcontainers.gpu.probe.testing;

import java.time.Duration;
import java.util.function.IntSupplier;

/**
 * A count and how long it took to get it, for the tests that check a probe returns within its bound.
 *
 * @param count what the supplier returned
 * @param took the wall-clock time the call took
 */
public record Timed(int count, Duration took) {

    public static Timed of(IntSupplier supplier) {
        long start = System.nanoTime();
        int count = supplier.getAsInt();
        return new Timed(count, Duration.ofNanos(System.nanoTime() - start));
    }

    public boolean within(Duration bound) {
        return took.compareTo(bound) < 0;
    }
}
