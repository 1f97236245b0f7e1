package io.smcontainers.framework.spi;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How {@link TrainingContext#runEntryPoint(RunOptions)} runs the user code.
 *
 * @param entryPoint the entry point; empty means the job's ({@code SAGEMAKER_PROGRAM} / {@code sagemaker_program})
 * @param args the arguments; empty means the job's hyperparameter arguments
 * @param extraEnvironment variables added to the user process environment (after the {@code SM_*} set)
 * @param runner which launcher runs it
 * @param captureError keep a bounded tail of stderr for the failure message (stderr is always streamed live)
 */
public record RunOptions(
        Optional<String> entryPoint,
        List<String> args,
        Map<String, String> extraEnvironment,
        Runner runner,
        boolean captureError) {
    public RunOptions {
        requireNonNull(entryPoint, "entryPoint is null");
        args = List.copyOf(requireNonNull(args, "args is null"));
        extraEnvironment = Collections.unmodifiableMap(
                new LinkedHashMap<>(requireNonNull(extraEnvironment, "extraEnvironment is null")));
        requireNonNull(runner, "runner is null");
    }

    /** Script mode's defaults: the job's entry point and arguments, the runner the job asks for, stderr tail captured. */
    public static RunOptions defaults() {
        return new RunOptions(Optional.empty(), List.of(), Map.of(), Runner.AUTO, true);
    }

    public RunOptions withRunner(Runner newRunner) {
        return new RunOptions(entryPoint, args, extraEnvironment, newRunner, captureError);
    }

    public RunOptions withExtraEnvironment(Map<String, String> environment) {
        return new RunOptions(entryPoint, args, environment, runner, captureError);
    }

    /** The process launchers the toolkit offers. */
    public enum Runner {
        /** MPI when {@code sagemaker_mpi_enabled} is truthy and this host is in a distribution group, else a plain process. */
        AUTO,
        /** One plain process on this host. */
        PROCESS,
        /** {@code mpirun} from the master; workers wait for it. */
        MPI,
        /** {@code torchrun} on every host. */
        TORCH_DISTRIBUTED
    }
}
