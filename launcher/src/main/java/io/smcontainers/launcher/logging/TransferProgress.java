package io.smcontainers.launcher.logging;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Progress of a long transfer written through it: at most one INFO line per interval while bytes flow
 * ({@code Downloading s3://b/k: 12.0 MiB of 40.0 MiB (30%), 5.1 MiB/s, 2.4 s elapsed}) and one when it closes
 * ({@code Downloaded s3://b/k: 40.0 MiB in 7.8 s (5.1 MiB/s)}); a transfer shorter than the interval logs only the last.
 * Not thread-safe: one writer.
 */
public final class TransferProgress extends FilterOutputStream {
    private static final Logger log = LoggerFactory.getLogger(TransferProgress.class);
    /** {@code SMC_PROGRESS_INTERVAL_SECONDS}'s default. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);

    private final String what;
    private final OptionalLong total;
    private final long intervalNanos;
    private final LongSupplier clock;
    private final long started;
    private long nextReport;
    private long bytes;
    private boolean closed;

    TransferProgress(OutputStream out, String what, OptionalLong total, Duration interval, LongSupplier clock) {
        super(out);
        this.what = what;
        this.total = total;
        this.intervalNanos = interval.toNanos();
        this.clock = clock;
        this.started = clock.getAsLong();
        this.nextReport = started + intervalNanos;
    }

    /** Wraps {@code out}; {@code total} is the announced size when known (a Content-Length, never trusted beyond display). */
    public static TransferProgress of(OutputStream out, String what, OptionalLong total, Duration interval) {
        return new TransferProgress(out, what, total, interval, System::nanoTime);
    }

    /** The interval from {@code SMC_PROGRESS_INTERVAL_SECONDS} (a positive number of seconds), else the default. */
    public static Duration interval(String setting) {
        if (setting == null || setting.isBlank()) {
            return DEFAULT_INTERVAL;
        }
        try {
            double seconds = Double.parseDouble(setting.strip());
            if (seconds > 0 && seconds < 86_400) {
                return Duration.ofMillis((long) (seconds * 1000));
            }
        } catch (NumberFormatException ignored) {
            // falls through to the warning
        }
        log.warn(
                "SMC_PROGRESS_INTERVAL_SECONDS={} is not a number of seconds between 0 and 86400; using {} s",
                setting,
                DEFAULT_INTERVAL.toSeconds());
        return DEFAULT_INTERVAL;
    }

    @Override
    public void write(int b) throws IOException {
        out.write(b);
        advance(1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        advance(len);
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        super.close();
        double seconds = Math.max(1, clock.getAsLong() - started) / 1e9;
        log.info(
                "Downloaded {}: {} in {} s ({}/s)", what, size(bytes), format(seconds), size((long) (bytes / seconds)));
    }

    long bytes() {
        return bytes;
    }

    private void advance(long count) {
        bytes += count;
        long now = clock.getAsLong();
        if (now - nextReport >= 0) {
            nextReport = now + intervalNanos;
            double seconds = Math.max(1, now - started) / 1e9;
            String of = total.isPresent() && total.getAsLong() > 0
                    ? " of " + size(total.getAsLong()) + " (" + Math.min(100, bytes * 100 / total.getAsLong()) + "%)"
                    : "";
            log.info(
                    "Downloading {}: {}{}, {}/s, {} s elapsed",
                    what,
                    size(bytes),
                    of,
                    size((long) (bytes / seconds)),
                    format(seconds));
        }
    }

    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        double value = bytes;
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    private static String format(double seconds) {
        return String.format(Locale.ROOT, "%.1f", seconds);
    }
}
