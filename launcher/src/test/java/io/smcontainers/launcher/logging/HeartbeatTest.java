package io.smcontainers.launcher.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class HeartbeatTest {
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(Heartbeat.class);

    @BeforeEach
    void capture() {
        lines.start();
        logger.addAppender(lines);
    }

    @AfterEach
    void release() {
        logger.detachAppender(lines);
    }

    @Test
    void oneLinePerIntervalWhileRunningAndNoneAfterClose() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        try (Heartbeat beat = Heartbeat.start("pip install -r requirements.txt", Duration.ofMillis(50))) {
            while (messages().size() < 3) {
                assertTrue(System.nanoTime() < deadline, "fewer than 3 lines in 10 s: " + messages());
                Thread.sleep(5);
            }
        }
        int atClose = messages().size();
        List<String> messages = messages();
        for (String message : messages) {
            assertTrue(
                    message.matches("pip install -r requirements.txt: still running, \\d+\\.\\d s elapsed"), message);
        }
        // the lines are spaced by the interval: n lines need at least (n - 1) intervals
        assertTrue(
                lines.list.get(atClose - 1).getTimeStamp() - lines.list.get(0).getTimeStamp()
                        >= 50L * (atClose - 1) - 5,
                messages.toString());
        assertEquals(atClose, messages().size(), "a line after close");
    }

    private List<String> messages() {
        synchronized (lines) {
            return List.copyOf(
                    lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList());
        }
    }
}
