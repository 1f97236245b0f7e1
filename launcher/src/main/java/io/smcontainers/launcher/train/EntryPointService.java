package io.smcontainers.launcher.train;

import static java.util.Objects.requireNonNull;

import io.smcontainers.env.core.ProcessEnvironment;
import io.smcontainers.env.core.PyValues;
import io.smcontainers.env.core.TrainingEnv;
import io.smcontainers.framework.spi.RunOptions;
import io.smcontainers.framework.spi.TrainingContext;
import io.smcontainers.framework.spi.UserCodeException;
import io.smcontainers.launcher.process.StopSignal;
import jakarta.inject.Inject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The "run entry point" service behind {@link TrainingContext#runEntryPoint} (training contract §1): the shared
 * preparation ({@link EntryPointPreparation}), then the one {@link Runner} for the requested mode ({@link #runner}),
 * waiting for its end.
 */
public final class EntryPointService {
    private static final Logger log = LoggerFactory.getLogger(EntryPointService.class);

    private final TrainingEnv env;
    private final ProcessEnvironment processEnvironment;
    private final LauncherSettings settings;
    private final EntryPointPreparation preparation;
    private final UserProcess process;
    private final StopSignal stop;

    @Inject
    EntryPointService(
            TrainingEnv env,
            ProcessEnvironment processEnvironment,
            LauncherSettings settings,
            EntryPointPreparation preparation,
            UserProcess process,
            StopSignal stop) {
        this.env = requireNonNull(env, "env is null");
        this.processEnvironment = requireNonNull(processEnvironment, "processEnvironment is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.preparation = requireNonNull(preparation, "preparation is null");
        this.process = requireNonNull(process, "process is null");
        this.stop = requireNonNull(stop, "stop is null");
    }

    void run(TrainingContext context, RunOptions options) throws UserCodeException {
        PreparedEntryPoint entry = preparation.prepare(context, options);
        runner(options.runner()).run(entry);
    }

    /** The one place a runner is chosen: the mode ({@link #resolve} for AUTO), and for MPI whether this host is the master. */
    Runner runner(RunOptions.Runner requested) {
        return switch (resolve(requested)) {
            case MPI ->
                env.isMaster()
                        ? new MpiMasterRunner(
                                env, processEnvironment.variables(), settings.workerWaitLimit(), stop, process)
                        : new MpiWorkerRunner(env.masterHostname(), stop);
            case TORCH_DISTRIBUTED -> new TorchrunRunner(env, process);
            case PROCESS, AUTO -> new PlainRunner(process);
        };
    }

    /** AUTO: MPI when {@code sagemaker_mpi_enabled} is truthy and this host's group distributes (§9.1), else a process. */
    RunOptions.Runner resolve(RunOptions.Runner requested) {
        if (requested != RunOptions.Runner.AUTO) {
            return requested;
        }
        Object mpi = env.frameworkParameters().get("sagemaker_mpi_enabled");
        if (mpi instanceof String text && !text.isEmpty()) {
            log.warn(
                    "sagemaker_mpi_enabled is the string '{}', which Python treats as true: MPI is enabled. "
                            + "Use a JSON boolean (true/false)",
                    text);
        }
        boolean distributed = env.distributionInstanceGroups().contains(env.currentInstanceGroup());
        return PyValues.truthy(mpi) && distributed ? RunOptions.Runner.MPI : RunOptions.Runner.PROCESS;
    }
}
