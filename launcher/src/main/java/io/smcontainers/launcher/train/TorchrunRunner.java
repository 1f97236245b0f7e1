package io.smcontainers.launcher.train;

import static java.util.Objects.requireNonNull;

import io.smcontainers.env.core.TrainingEnv;
import io.smcontainers.framework.spi.UserCodeException;
import io.smcontainers.launcher.code.EntryPointType;
import io.smcontainers.launcher.distributed.MpiCommand;
import io.smcontainers.launcher.distributed.TorchrunCommand;
import io.smcontainers.launcher.process.Command;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code TORCH_DISTRIBUTED}: {@code torchrun} on every host, no SSH (training contract §9.8); a Python program only,
 * with the EFA and NCCL variables added to its environment.
 */
final class TorchrunRunner implements Runner {
    private final TrainingEnv env;
    private final UserProcess process;

    TorchrunRunner(TrainingEnv env, UserProcess process) {
        this.env = requireNonNull(env, "env is null");
        this.process = requireNonNull(process, "process is null");
    }

    @Override
    public void run(PreparedEntryPoint entry) throws UserCodeException {
        if (entry.type() == EntryPointType.PYTHON_PACKAGE) {
            throw new UserCodeException(
                    "Python packages are not supported for torch_distributed. Please use a python script as the entry-point");
        }
        if (entry.type() != EntryPointType.PYTHON_PROGRAM) {
            throw new UserCodeException("Unsupported entry point type for torch_distributed");
        }
        String instanceType = env.currentInstanceType();
        Map<String, String> torchEnvironment = new LinkedHashMap<>(entry.environment());
        if (MpiCommand.isEfaNccl(instanceType)) {
            torchEnvironment.put("FI_PROVIDER", "efa");
        }
        if (MpiCommand.isEfaRdma(instanceType)) {
            torchEnvironment.put("FI_EFA_USE_DEVICE_RDMA", "1");
            torchEnvironment.put("RDMAV_FORK_SAFE", "1");
        }
        torchEnvironment.put("NCCL_SOCKET_IFNAME", env.networkInterfaceName());
        torchEnvironment.put("NCCL_PROTO", "simple");
        List<String> argv = TorchrunCommand.argv(
                DistributionParameters.hosts(env),
                env.currentHost(),
                DistributionParameters.processesPerHost(env),
                "1".equals(entry.environment().get("RUN_NEURON_PARALLEL_COMPILE")),
                entry.entryPoint(),
                entry.args());
        process.run(new Command(argv, entry.codeDir(), torchEnvironment), entry.captureError());
    }
}
