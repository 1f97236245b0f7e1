package io.smcontainers.gpu.probe;

import static java.util.Objects.requireNonNull;

import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * A device count and the one log line that explains it.
 *
 * @param count the number of devices, 0 when the probe failed
 * @param level INFO for expected outcomes (found devices, tool absent, tool reports no driver), WARN when the tool
 *     misbehaved (hung, printed something unreadable)
 * @param message the log line
 */
record ProbeResult(int count, Level level, String message) {

    ProbeResult {
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative, got " + count);
        }
        requireNonNull(level, "level is null");
        requireNonNull(message, "message is null");
    }

    static ProbeResult found(int count, String message) {
        return new ProbeResult(count, Level.INFO, message);
    }

    /** Devices found, but part of the tool's output had to be ignored. */
    static ProbeResult foundWithWarning(int count, String message) {
        return new ProbeResult(count, Level.WARN, message);
    }

    /** No devices, as expected on a machine without them. */
    static ProbeResult none(String message) {
        return new ProbeResult(0, Level.INFO, message);
    }

    /** No devices, because the tool misbehaved. */
    static ProbeResult failed(String message) {
        return new ProbeResult(0, Level.WARN, message);
    }

    void log(Logger log) {
        log.atLevel(level).log("{}", message);
    }
}
