package io.smcontainers.gpu.probe;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GPUs, Neuron cores and CPUs as the container sees them, computed the way the SageMaker training toolkit computes
 * {@code num_gpus}, {@code num_neurons}, {@code num_cpus} and {@code is_smddprun_installed}.
 *
 * <p>GPUs and Neuron cores come from running {@code nvidia-smi --list-gpus} and {@code neuron-ls -j}, found on the
 * search path. Each command runs at most once per probe (the count is cached) and within a hard time limit: a tool
 * that is missing, fails, hangs, or prints something unreadable gives a count of 0 and one log line that names the
 * command and the reason; it never hangs or crashes the caller. Thread-safe.
 */
public final class HardwareProbe {

    private static final Logger log = LoggerFactory.getLogger(HardwareProbe.class);

    /** How long {@code nvidia-smi} or {@code neuron-ls} may run before it is killed and counted as 0. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    static final String NVIDIA_SMI = "nvidia-smi";
    static final List<String> NVIDIA_SMI_ARGS = List.of("--list-gpus");
    static final String NEURON_LS = "neuron-ls";
    static final List<String> NEURON_LS_ARGS = List.of("-j");

    /** An instance type containing this has {@link #TRN2_48XLARGE_NEURON_CORES} cores; {@code neuron-ls} is not run. */
    static final String TRN2_48XLARGE = "trn2.48xlarge";

    static final int TRN2_48XLARGE_NEURON_CORES = 64;

    static final String NO_GPUS = "No GPUs detected (normal if no gpus installed)";
    static final String NO_NEURONS = "No Neurons detected (normal if no neurons installed)";

    private final SearchPath searchPath;
    private final CommandRunner runner;

    // guarded by this
    private ProbeResult gpus;
    private ProbeResult neurons;

    /**
     * A probe that searches the directories in {@code searchPath}, in order, and gives each command {@code timeout}.
     *
     * @param searchPath directories to search for {@code nvidia-smi}, {@code neuron-ls} and {@link #isOnPath}; relative
     *     ones are resolved against the current directory
     * @param timeout how long each command may run before it is killed and counted as 0; must be positive
     */
    public HardwareProbe(List<Path> searchPath, Duration timeout) {
        this(new SearchPath(searchPath), new CommandRunner(timeout));
    }

    private HardwareProbe(SearchPath searchPath, CommandRunner runner) {
        this.searchPath = searchPath;
        this.runner = runner;
    }

    /**
     * A probe that searches the {@code PATH} of {@code processEnvironment} (Python's default {@code /bin:/usr/bin}
     * when it has none) with the default time limit of 10 seconds per command. Runs nothing yet.
     */
    public static HardwareProbe fromEnvironment(Map<String, String> processEnvironment) {
        return fromEnvironment(processEnvironment, DEFAULT_TIMEOUT);
    }

    static HardwareProbe fromEnvironment(Map<String, String> processEnvironment, Duration timeout) {
        requireNonNull(processEnvironment, "processEnvironment is null");
        return new HardwareProbe(SearchPath.fromEnvironment(processEnvironment), new CommandRunner(timeout));
    }

    /**
     * {@code num_gpus}: the lines of {@code nvidia-smi --list-gpus} that start with {@code "GPU "} (MIG devices are
     * not counted); 0 when the command is missing, cannot run, exits non-zero, hangs or prints unreadable output.
     */
    public int gpuCount() {
        return gpuProbe().count();
    }

    /**
     * {@code num_neurons}: 64 when {@code currentInstanceType} contains {@code trn2.48xlarge} (nothing is run);
     * otherwise the sum of {@code nc_count} over the devices listed by {@code neuron-ls -j}, and 0 when the command
     * is missing, cannot run, exits non-zero, hangs or prints something that is not a JSON array.
     *
     * @param currentInstanceType {@code current_instance_type} from {@code resourceconfig.json} ({@code local} when
     *     absent)
     */
    public int neuronCoreCount(String currentInstanceType) {
        requireNonNull(currentInstanceType, "currentInstanceType is null");
        if (currentInstanceType.contains(TRN2_48XLARGE)) {
            log.info(
                    "Instance type {} is a {}: {} Neuron cores ({} is not run)",
                    currentInstanceType,
                    TRN2_48XLARGE,
                    TRN2_48XLARGE_NEURON_CORES,
                    NEURON_LS);
            return TRN2_48XLARGE_NEURON_CORES;
        }
        return neuronProbe().count();
    }

    /**
     * {@code num_cpus}: {@link Runtime#availableProcessors()}, the processors this JVM may use (which honours
     * CPU affinity and cgroup CPU limits).
     */
    public int cpuCount() {
        return Runtime.getRuntime().availableProcessors();
    }

    /**
     * Whether a regular, executable file called {@code executable} is in one of the search directories, as
     * {@code which executable} would say ({@code is_smddprun_installed} is {@code isOnPath("smddprun")}). Looks at
     * the file system each time; caches nothing.
     *
     * @throws IllegalArgumentException if {@code executable} is empty or contains {@code /}
     */
    public boolean isOnPath(String executable) {
        return searchPath.find(executable).isPresent();
    }

    synchronized ProbeResult gpuProbe() {
        if (gpus == null) {
            gpus = run(NVIDIA_SMI, NVIDIA_SMI_ARGS, NO_GPUS, HardwareProbe::readGpuListing);
            gpus.log(log);
        }
        return gpus;
    }

    synchronized ProbeResult neuronProbe() {
        if (neurons == null) {
            neurons = run(NEURON_LS, NEURON_LS_ARGS, NO_NEURONS, HardwareProbe::readNeuronListing);
            neurons.log(log);
        }
        return neurons;
    }

    /**
     * Finds and runs {@code executable}; every outcome but a clean exit with UTF-8 output under the size cap becomes
     * a count of 0 with {@code noneMessage} and the reason.
     */
    private ProbeResult run(
            String executable,
            List<String> arguments,
            String noneMessage,
            Function<CommandOutcome.Exited, ProbeResult> reader) {
        Optional<Path> found = searchPath.find(executable);
        if (found.isEmpty()) {
            return ProbeResult.none(
                    noneMessage + ": " + executable + " is not an executable file on PATH " + searchPath);
        }
        CommandOutcome outcome = runner.run(found.get(), arguments);
        if (outcome instanceof CommandOutcome.NotRun notRun) {
            return ProbeResult.none(noneMessage + ": could not run " + notRun.command() + ": " + notRun.reason());
        }
        if (outcome instanceof CommandOutcome.TimedOut timedOut) {
            return ProbeResult.failed(noneMessage + ": " + timedOut.command() + " did not finish in time ("
                    + timedOut.detail() + "); counting 0");
        }
        CommandOutcome.Exited exited = (CommandOutcome.Exited) outcome;
        if (exited.exitCode() != 0) {
            return ProbeResult.none(noneMessage + ": " + exited.command() + " exited with code " + exited.exitCode()
                    + ", " + exited.outputExcerpt());
        }
        if (exited.stdoutTruncated()) {
            return ProbeResult.failed(noneMessage + ": " + exited.command() + " printed " + exited.stdoutSize()
                    + " bytes, more than the " + CommandRunner.STDOUT_CAP + " bytes a listing can take; output "
                    + "ignored, counting 0");
        }
        if (exited.stdoutText().isEmpty()) {
            return ProbeResult.failed(noneMessage + ": " + exited.command() + " printed output that is not UTF-8 "
                    + "text, " + exited.outputExcerpt() + "; counting 0");
        }
        return reader.apply(exited);
    }

    private static ProbeResult readGpuListing(CommandOutcome.Exited exited) {
        String listing = exited.stdoutText().orElseThrow();
        int count = GpuListing.countGpus(listing);
        if (count > 0) {
            return ProbeResult.found(count, "Found " + count + " GPUs on this instance");
        }
        if (listing.isBlank() && exited.stderr().length == 0) {
            return ProbeResult.none(NO_GPUS + ": " + exited.command() + " listed no GPUs");
        }
        return ProbeResult.failed(NO_GPUS + ": " + exited.command() + " printed no line starting with \""
                + GpuListing.GPU_LINE_PREFIX + "\", " + exited.outputExcerpt() + "; counting 0");
    }

    private static ProbeResult readNeuronListing(CommandOutcome.Exited exited) {
        NeuronListing.NeuronCores cores;
        try {
            cores = NeuronListing.countCores(exited.stdoutText().orElseThrow());
        } catch (IllegalArgumentException e) {
            return ProbeResult.failed(NO_NEURONS + ": the output of " + exited.command() + " is " + e.getMessage()
                    + ", " + exited.outputExcerpt() + "; counting 0");
        }
        String found = "Found " + cores.cores() + " neurons on this instance";
        if (cores.ignoredEntries().isEmpty()) {
            return ProbeResult.found(cores.cores(), found);
        }
        return ProbeResult.foundWithWarning(
                cores.cores(),
                found + " (ignored entries "
                        + cores.ignoredEntries() + " of the " + exited.command() + " array: not an object with a "
                        + "non-negative integer " + NeuronListing.NC_COUNT + ")");
    }
}
