package io.smcontainers.gpu.probe;

import static java.util.Objects.requireNonNull;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Map;

/**
 * Binds the one {@link HardwareProbe}, searching the {@code PATH} of the process environment given here (the launcher
 * reads the real environment; nothing else does). Binding runs nothing: the probe runs its commands on first use.
 */
public final class GpuProbeModule extends AbstractModule {

    private final Map<String, String> processEnvironment;
    private final Duration timeout;

    /** Probes with the default time limit of 10 seconds per command. */
    public GpuProbeModule(Map<String, String> processEnvironment) {
        this(processEnvironment, HardwareProbe.DEFAULT_TIMEOUT);
    }

    /** Probes with {@code timeout} per command (must be positive). */
    public GpuProbeModule(Map<String, String> processEnvironment, Duration timeout) {
        this.processEnvironment = Map.copyOf(requireNonNull(processEnvironment, "processEnvironment is null"));
        this.timeout = CommandRunner.checkTimeout(timeout);
    }

    @Provides
    @Singleton
    HardwareProbe hardwareProbe() {
        return HardwareProbe.fromEnvironment(processEnvironment, timeout);
    }
}
