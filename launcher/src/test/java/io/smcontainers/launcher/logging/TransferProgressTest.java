package io.smcontainers.launcher.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class TransferProgressTest {
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(TransferProgress.class);

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
    void logsAtMostOneLinePerIntervalAndOneAtTheEnd() throws Exception {
        AtomicLong now = new AtomicLong(0);
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        byte[] chunk = new byte[64 * 1024];
        try (TransferProgress out =
                new TransferProgress(sink, "s3://b/k", OptionalLong.of(40L << 20), Duration.ofSeconds(5), now::get)) {
            // 640 chunks (40 MiB), 25 ms apart: 16 s of transfer
            for (int i = 0; i < 640; i++) {
                now.addAndGet(Duration.ofMillis(25).toNanos());
                out.write(chunk);
            }
        }
        assertEquals(40L << 20, sink.size());
        List<String> messages =
                lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertEquals(4, messages.size(), messages.toString()); // at 5, 10 and 15 s, then the end
        assertEquals("Downloading s3://b/k: 12.5 MiB of 40.0 MiB (31%), 2.5 MiB/s, 5.0 s elapsed", messages.get(0));
        assertEquals("Downloaded s3://b/k: 40.0 MiB in 16.0 s (2.5 MiB/s)", messages.get(3));
    }

    @Test
    void aShortTransferLogsOnlyItsEndAndAnUnknownSizeHasNoPercentage() throws Exception {
        AtomicLong now = new AtomicLong(0);
        try (TransferProgress out = new TransferProgress(
                new ByteArrayOutputStream(), "x", OptionalLong.empty(), Duration.ofSeconds(5), now::get)) {
            out.write(new byte[1000]);
            now.addAndGet(Duration.ofSeconds(6).toNanos());
            out.write(new byte[1000]);
        }
        List<String> messages =
                lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertEquals(
                List.of("Downloading x: 2.0 KiB, 333 B/s, 6.0 s elapsed", "Downloaded x: 2.0 KiB in 6.0 s (333 B/s)"),
                messages);
    }

    @Test
    void theIntervalSettingIsValidated() {
        assertEquals(Duration.ofMillis(2500), TransferProgress.interval("2.5"));
        assertEquals(TransferProgress.DEFAULT_INTERVAL, TransferProgress.interval(null));
        assertEquals(TransferProgress.DEFAULT_INTERVAL, TransferProgress.interval("soon"));
        assertEquals(TransferProgress.DEFAULT_INTERVAL, TransferProgress.interval("-1"));
    }
}
