package io.smcontainers.env.core;

/**
 * What the environment needs to know about the machine. The launcher adapts the gpu-probe module to it;
 * tests pass fixed values.
 */
public interface HardwareInfo {
    /** {@code num_gpus}: GPUs listed by {@code nvidia-smi --list-gpus}, 0 when none or no driver. */
    int gpuCount();

    /** {@code num_neurons}: Neuron cores; 64 on {@code trn2.48xlarge} without probing. */
    int neuronCoreCount(String currentInstanceType);

    /** {@code num_cpus}. */
    int cpuCount();

    /** Whether an executable of that name is on PATH (for {@code is_smddprun_installed}). */
    boolean isOnPath(String executable);

    /** Fixed values, for tests and for tools that must not probe. */
    static HardwareInfo fixed(int gpus, int neuronCores, int cpus) {
        return new HardwareInfo() {
            @Override
            public int gpuCount() {
                return gpus;
            }

            @Override
            public int neuronCoreCount(String currentInstanceType) {
                return currentInstanceType.contains("trn2.48xlarge") ? 64 : neuronCores;
            }

            @Override
            public int cpuCount() {
                return cpus;
            }

            @Override
            public boolean isOnPath(String executable) {
                return false;
            }
        };
    }
}
