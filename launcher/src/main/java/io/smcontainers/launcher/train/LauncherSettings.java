package io.smcontainers.launcher.train;

import io.smcontainers.launcher.error.LauncherException;
import java.time.Duration;
import java.util.Map;

/**
 * The launcher's own knobs, read once from the process environment.
 *
 * @param stopGrace {@code SMC_STOP_GRACE_SECONDS} (default 20): between forwarding SIGTERM and SIGKILL
 * @param hostResolutionLimit {@code SMC_HOST_RESOLUTION_TIMEOUT_SECONDS} (default 900): per host
 * @param workerWaitLimit {@code SMC_MPI_WORKER_WAIT_SECONDS} (default 3600): master waiting for workers' SSH
 */
public record LauncherSettings(Duration stopGrace, Duration hostResolutionLimit, Duration workerWaitLimit) {
    public static LauncherSettings from(Map<String, String> environment) {
        return new LauncherSettings(
                seconds(environment, "SMC_STOP_GRACE_SECONDS", 20),
                seconds(environment, "SMC_HOST_RESOLUTION_TIMEOUT_SECONDS", 900),
                seconds(environment, "SMC_MPI_WORKER_WAIT_SECONDS", 3600));
    }

    private static Duration seconds(Map<String, String> environment, String name, long defaultSeconds) {
        String value = environment.get(name);
        if (value == null || value.isBlank()) {
            return Duration.ofSeconds(defaultSeconds);
        }
        try {
            double seconds = Double.parseDouble(value.strip());
            if (seconds < 0 || Double.isNaN(seconds)) {
                throw new NumberFormatException();
            }
            return Duration.ofMillis((long) (seconds * 1000));
        } catch (NumberFormatException e) {
            throw new LauncherException(
                    LauncherException.Category.USER,
                    1,
                    "Environment variable " + name + " must be a number of seconds >= 0, got '" + value + "'");
        }
    }
}
