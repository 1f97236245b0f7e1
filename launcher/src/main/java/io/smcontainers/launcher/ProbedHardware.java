package io.smcontainers.launcher;

import static java.util.Objects.requireNonNull;

import io.smcontainers.env.core.HardwareInfo;
import io.smcontainers.gpu.probe.HardwareProbe;
import jakarta.inject.Inject;

/** env-core's view of the machine, answered by gpu-probe. */
final class ProbedHardware implements HardwareInfo {
    private final HardwareProbe probe;

    @Inject
    ProbedHardware(HardwareProbe probe) {
        this.probe = requireNonNull(probe, "probe is null");
    }

    @Override
    public int gpuCount() {
        return probe.gpuCount();
    }

    @Override
    public int neuronCoreCount(String currentInstanceType) {
        return probe.neuronCoreCount(currentInstanceType);
    }

    @Override
    public int cpuCount() {
        return probe.cpuCount();
    }

    @Override
    public boolean isOnPath(String executable) {
        return probe.isOnPath(executable);
    }
}
