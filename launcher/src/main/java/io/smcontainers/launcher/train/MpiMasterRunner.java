package io.smcontainers.launcher.train;

import static java.util.Objects.requireNonNull;

import io.smcontainers.env.core.PyValues;
import io.smcontainers.env.core.TrainingEnv;
import io.smcontainers.framework.spi.UserCodeException;
import io.smcontainers.launcher.code.ProgramCommand;
import io.smcontainers.launcher.distributed.MpiCommand;
import io.smcontainers.launcher.distributed.MpiMaster;
import io.smcontainers.launcher.distributed.Sshd;
import io.smcontainers.launcher.process.Command;
import io.smcontainers.launcher.process.StopSignal;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code MPI} on the master (training contract §9.2): {@code sshd} when there are other hosts, the wait for every
 * worker's SSH, {@code mpirun} over all hosts, then the workers' status files. {@code sshd} stops however it ends.
 */
final class MpiMasterRunner implements Runner {
    private static final Logger log = LoggerFactory.getLogger(MpiMasterRunner.class);

    private final TrainingEnv env;
    private final Map<String, String> processEnvironment;
    private final Duration workerWaitLimit;
    private final StopSignal stop;
    private final UserProcess process;

    MpiMasterRunner(
            TrainingEnv env,
            Map<String, String> processEnvironment,
            Duration workerWaitLimit,
            StopSignal stop,
            UserProcess process) {
        this.env = requireNonNull(env, "env is null");
        this.processEnvironment = requireNonNull(processEnvironment, "processEnvironment is null");
        this.workerWaitLimit = requireNonNull(workerWaitLimit, "workerWaitLimit is null");
        this.stop = requireNonNull(stop, "stop is null");
        this.process = requireNonNull(process, "process is null");
    }

    @Override
    public void run(PreparedEntryPoint entry) throws UserCodeException {
        List<String> hosts = DistributionParameters.hosts(env);
        String master = env.masterHostname();
        log.info("Starting MPI run as master node.");
        List<String> workers = hosts.stream().filter(h -> !h.equals(master)).toList();
        // single-host MPI needs no SSH; sshd stops however the run ends (a stop request ends the waits at once)
        try (Sshd sshd = workers.isEmpty() ? null : Sshd.start(Sshd.STANDARD)) {
            MpiMaster.awaitWorkers(workers, workerWaitLimit, stop);
            process.run(
                    new Command(mpirun(hosts, entry).argv(), entry.codeDir(), entry.environment()),
                    entry.captureError());
            MpiMaster.markDone(workers, master, stop);
        }
    }

    private MpiCommand mpirun(List<String> hosts, PreparedEntryPoint entry) {
        List<String> mpiPython = new ArrayList<>(entry.python());
        mpiPython.addAll(List.of("-m", "mpi4py"));
        List<String> names = new ArrayList<>(env.envVars().keySet());
        names.add("PYTHONPATH");
        return MpiCommand.builder()
                .hosts(hosts)
                .processesPerHost(DistributionParameters.processesPerHost(env))
                .numProcesses(DistributionParameters.positiveInt(env, "sagemaker_mpi_num_processes"))
                .networkInterface(env.networkInterfaceName())
                .customOptions(
                        PyValues.str(env.frameworkParameters().getOrDefault("sagemaker_mpi_custom_mpi_options", "")))
                .instanceType(env.currentInstanceType())
                .environmentNames(names)
                .processEnvironment(entry.environment())
                .modelParallel(env.modelParallelEnabled()) // the one rule of TrainingEnv (quirk #24 Fix)
                .smddpmprun(smddpmprun())
                .gethostnameLibrary(gethostnameLibrary())
                .program(ProgramCommand.of(
                        entry.type(), entry.entryPoint(), entry.args(), mpiPython, Interpreters.java()))
                .build();
    }

    /** {@code smddpmprun} when the DDP backend is {@code auto} and the probe found it on the PATH (one lookup). */
    private boolean smddpmprun() {
        Object mp = env.hyperparameters().get("mp_parameters");
        String backend = mp instanceof Map<?, ?> map && map.get("ddp_dist_backend") != null
                ? PyValues.str(map.get("ddp_dist_backend"))
                : "auto";
        return "auto".equals(backend) && env.smddpmprunInstalled();
    }

    /** {@code SMC_GETHOSTNAME_LIBRARY}: the LD_PRELOAD library of §9.5, passed to ranks only when it exists. */
    private Optional<String> gethostnameLibrary() {
        String configured = processEnvironment.getOrDefault("SMC_GETHOSTNAME_LIBRARY", "");
        if (!configured.isEmpty() && Files.isRegularFile(Paths.get(configured))) {
            return Optional.of(configured);
        }
        return Optional.empty();
    }
}
