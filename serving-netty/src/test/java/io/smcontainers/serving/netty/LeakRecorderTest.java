package io.smcontainers.serving.netty;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.smcontainers.serving.netty.testing.LeakRecorder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The leak check the integration tests rely on does catch a leaked buffer. */
class LeakRecorderTest {
    static {
        LeakRecorder.install();
    }

    @Test
    void aLeakedBufferIsReported() {
        LeakRecorder.collectLeaks();
        leak();
        List<String> leaks = LeakRecorder.collectLeaks();
        assertFalse(leaks.isEmpty(), "the deliberately leaked buffer was not reported");
        assertTrue(leaks.get(0).startsWith("LEAK"), leaks.get(0));
    }

    private static void leak() {
        ByteBuf buffer = PooledByteBufAllocator.DEFAULT.buffer(64);
        buffer.writeLong(42);
    }
}
