package io.smcontainers.serving.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.smcontainers.serving.netty.testing.LeakRecorder;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PrewarmTest {
    static {
        LeakRecorder.install();
    }

    @Test
    void theBackgroundPreparationEndsAndKeepsNoBuffer() throws Exception {
        long before = usedDirectMemory();
        Thread thread = Prewarm.start();
        thread.join(TimeUnit.SECONDS.toMillis(60));
        assertTrue(!thread.isAlive(), "the preparation thread ended");
        assertTrue(thread.isDaemon(), "a daemon: it never holds the JVM up");
        assertEquals(List.of(), LeakRecorder.collectLeaks());
        assertEquals(before, usedDirectMemory(), "pooled direct memory in use is back where it was");
    }

    private static long usedDirectMemory() {
        return ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT)
                .metric()
                .usedDirectMemory();
    }
}
