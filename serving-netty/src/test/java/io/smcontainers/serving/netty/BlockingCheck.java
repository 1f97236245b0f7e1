package io.smcontainers.serving.netty;

import io.smcontainers.framework.spi.HealthCheck;
import io.smcontainers.framework.spi.InvocationResponse;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/** A health check that counts its calls, signals {@link #entered} and answers 200 once {@link #release} is counted down. */
final class BlockingCheck implements HealthCheck {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicInteger calls = new AtomicInteger();

    @Override
    public InvocationResponse check() throws InterruptedException {
        calls.incrementAndGet();
        entered.countDown();
        release.await();
        return InvocationResponse.ofText("", "application/json");
    }
}
