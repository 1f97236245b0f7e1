package io.smcontainers.launcher.train;

import static java.util.Objects.requireNonNull;

import io.smcontainers.env.core.ProcessEnvironment;
import io.smcontainers.env.core.PyValues;
import io.smcontainers.env.core.EnvironmentLog;
import io.smcontainers.env.core.TrainingEnv;
import io.smcontainers.framework.spi.Framework;
import io.smcontainers.framework.spi.RunOptions;
import io.smcontainers.framework.spi.TrainingContext;
import io.smcontainers.framework.spi.UserCodeException;
import io.smcontainers.launcher.error.LauncherException;
import io.smcontainers.launcher.error.LauncherException.Category;
import io.smcontainers.launcher.code.CodeFetcher;
import io.smcontainers.launcher.code.EntryPointType;
import io.smcontainers.launcher.code.Installer;
import io.smcontainers.launcher.code.ProgramCommand;
import io.smcontainers.launcher.distributed.HostResolution;
import io.smcontainers.launcher.distributed.MpiCommand;
import io.smcontainers.launcher.distributed.MpiMaster;
import io.smcontainers.launcher.distributed.MpiWorker;
import io.smcontainers.launcher.distributed.TorchrunCommand;
import io.smcontainers.launcher.process.Command;
import io.smcontainers.launcher.process.FailureMessage;
import io.smcontainers.launcher.process.ProcessLauncher;
import io.smcontainers.launcher.process.ProcessResult;
import io.smcontainers.launcher.process.StopSignal;
import jakarta.inject.Inject;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The "run entry point" service (training contract §1): fetch the code, install it, build the user process
 * environment, wait for the cluster's host names, pick the runner and run it, waiting for the end.
 */
public final class EntryPointService {
    private static final Logger log = LoggerFactory.getLogger(EntryPointService.class);

    private final TrainingEnv env;
    private final ProcessEnvironment processEnvironment;
    private final LauncherSettings settings;
    private final CodeFetcher fetcher;
    private final Installer installer;
    private final ProcessLauncher launcher;
    private final StopSignal stop;
    private final Framework framework;

    @Inject
    EntryPointService(TrainingEnv env, ProcessEnvironment processEnvironment, LauncherSettings settings, CodeFetcher fetcher,
            Installer installer, ProcessLauncher launcher, StopSignal stop, Framework framework) {
        this.env = requireNonNull(env, "env is null");
        this.processEnvironment = requireNonNull(processEnvironment, "processEnvironment is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.fetcher = requireNonNull(fetcher, "fetcher is null");
        this.installer = requireNonNull(installer, "installer is null");
        this.launcher = requireNonNull(launcher, "launcher is null");
        this.stop = requireNonNull(stop, "stop is null");
        this.framework = requireNonNull(framework, "framework is null");
    }

    void run(TrainingContext context, RunOptions options) throws UserCodeException {
        String entryPoint = options.entryPoint().or(env::userEntryPoint).orElseThrow(() -> new LauncherException(Category.USER, 1,
                "No entry point to run: set the environment variable SAGEMAKER_PROGRAM or the hyperparameter sagemaker_program "
                        + "(the SDK's entry_point), or SAGEMAKER_TRAINING_MODULE for a framework"));
        List<String> args = options.args().isEmpty() ? env.cmdArgs() : options.args();
        Path codeDir = env.paths().code();
        checkStop();
        fetcher.fetch(env.moduleDir(), codeDir);
        EntryPointType type = EntryPointType.detect(codeDir, entryPoint);
        Map<String, String> userEnvironment = userEnvironment(context, options);
        List<String> python = type == EntryPointType.PYTHON_PACKAGE || type == EntryPointType.PYTHON_PROGRAM
                || Files.isRegularFile(codeDir.resolve("requirements.txt")) ? List.of(Interpreters.python(userEnvironment)) : List.of("python3");
        checkStop();
        installer.install(type, entryPoint, codeDir, python, userEnvironment);
        if (env.hosts().size() > 1) {
            if ("true".equalsIgnoreCase(processEnvironment.variables().getOrDefault("SM_STUDIO_LOCAL_MODE", ""))) {
                log.info("Bypass DNS check in case of Studio Local Mode execution.");
            } else {
                HostResolution.await(env.hosts(), settings.hostResolutionLimit());
            }
        }
        checkStop();
        RunOptions.Runner runner = resolve(options.runner());
        switch (runner) {
            case MPI -> runMpi(type, entryPoint, args, python, userEnvironment, options.captureError());
            case TORCH_DISTRIBUTED -> runTorch(type, entryPoint, args, userEnvironment, options.captureError());
            default -> execute(new Command(ProgramCommand.of(type, entryPoint, args, python, Interpreters.java()), codeDir,
                    userEnvironment), options.captureError(), userEnvironment);
        }
    }

    /** AUTO: MPI when {@code sagemaker_mpi_enabled} is truthy and this host's group distributes (§9.1), else a process. */
    RunOptions.Runner resolve(RunOptions.Runner requested) {
        if (requested != RunOptions.Runner.AUTO) {
            return requested;
        }
        Object mpi = env.frameworkParameters().get("sagemaker_mpi_enabled");
        if (mpi instanceof String text && !text.isEmpty()) {
            log.warn("sagemaker_mpi_enabled is the string '{}', which Python treats as true: MPI is enabled. "
                    + "Use a JSON boolean (true/false)", text);
        }
        boolean distributed = env.distributionInstanceGroups().contains(env.currentInstanceGroup());
        return PyValues.truthy(mpi) && distributed ? RunOptions.Runner.MPI : RunOptions.Runner.PROCESS;
    }

    /**
     * The whole user process environment: the launcher's own environment, the toolkit variables ({@code SAGEMAKER_*},
     * {@code CURRENT_HOST}), the {@code SM_*} set, {@code PYTHONPATH} = code dir first (then the inherited value),
     * then the framework's {@link Framework#userEnvironment} and the requested extras.
     */
    Map<String, String> userEnvironment(TrainingContext context, RunOptions options) {
        Map<String, String> all = new LinkedHashMap<>(processEnvironment.variables());
        all.putAll(env.toolkitVariables());
        all.putAll(env.envVars());
        String inherited = processEnvironment.variables().get("PYTHONPATH");
        all.put("PYTHONPATH", env.paths().code() + (inherited == null || inherited.isEmpty() ? "" : ":" + inherited));
        all.putAll(framework.userEnvironment(context));
        all.putAll(options.extraEnvironment());
        return all;
    }

    private void runMpi(EntryPointType type, String entryPoint, List<String> args, List<String> python,
            Map<String, String> userEnvironment, boolean capture) throws UserCodeException {
        Path codeDir = env.paths().code();
        List<String> hosts = env.distributionHosts().isEmpty() ? env.hosts() : env.distributionHosts();
        String master = env.masterHostname();
        if (!env.isMaster()) {
            MpiWorker.standard().run(master, userEnvironment);
            return;
        }
        log.info("Starting MPI run as master node.");
        List<String> workers = hosts.stream().filter(h -> !h.equals(master)).toList();
        Optional<Process> sshd = Optional.empty();
        if (!workers.isEmpty()) {
            sshd = Optional.of(startSshd());
            MpiMaster.awaitWorkers(workers, settings.workerWaitLimit());
        }
        try {
            List<String> mpiPython = new ArrayList<>(python);
            mpiPython.addAll(List.of("-m", "mpi4py"));
            List<String> names = new ArrayList<>(env.envVars().keySet());
            names.add("PYTHONPATH");
            MpiCommand mpi = new MpiCommand(hosts, processesPerHost(), intParameter("sagemaker_mpi_num_processes"),
                    env.networkInterfaceName(),
                    PyValues.str(env.frameworkParameters().getOrDefault("sagemaker_mpi_custom_mpi_options", "")),
                    env.currentInstanceType(), names, userEnvironment, modelParallel(),
                    smddpmprun(userEnvironment), gethostnameLibrary(),
                    ProgramCommand.of(type, entryPoint, args, mpiPython, Interpreters.java()));
            execute(new Command(mpi.argv(), codeDir, userEnvironment), capture, userEnvironment);
            MpiMaster.markDone(workers, master);
        } finally {
            sshd.ifPresent(Process::destroy);
        }
    }

    private void runTorch(EntryPointType type, String entryPoint, List<String> args, Map<String, String> userEnvironment,
            boolean capture) throws UserCodeException {
        if (type == EntryPointType.PYTHON_PACKAGE) {
            throw new UserCodeException("Python packages are not supported for torch_distributed. Please use a python script as the entry-point");
        }
        if (type != EntryPointType.PYTHON_PROGRAM) {
            throw new UserCodeException("Unsupported entry point type for torch_distributed");
        }
        String instanceType = env.currentInstanceType();
        Map<String, String> torchEnvironment = new LinkedHashMap<>(userEnvironment);
        if (MpiCommand.isEfaNccl(instanceType)) {
            torchEnvironment.put("FI_PROVIDER", "efa");
        }
        if (MpiCommand.isEfaRdma(instanceType)) {
            torchEnvironment.put("FI_EFA_USE_DEVICE_RDMA", "1");
            torchEnvironment.put("RDMAV_FORK_SAFE", "1");
        }
        torchEnvironment.put("NCCL_SOCKET_IFNAME", env.networkInterfaceName());
        torchEnvironment.put("NCCL_PROTO", "simple");
        List<String> hosts = env.distributionHosts().isEmpty() ? env.hosts() : env.distributionHosts();
        List<String> argv = TorchrunCommand.argv(hosts, env.currentHost(), processesPerHost(),
                "1".equals(userEnvironment.get("RUN_NEURON_PARALLEL_COMPILE")), entryPoint, args);
        execute(new Command(argv, env.paths().code(), torchEnvironment), capture, torchEnvironment);
    }

    private void execute(Command built, boolean capture, Map<String, String> shown) throws UserCodeException {
        Command command = new Command(framework.customizeCommand(built.argv(), built.environment()), built.workingDir(),
                built.environment());
        logInvocation(command, shown);
        ProcessResult result;
        try {
            result = launcher.run(command, capture);
        } catch (IOException e) {
            throw new LauncherException(Category.USER, 2, "Cannot start " + command.argv().get(0) + ": " + e.getMessage()
                    + ". Command \"" + command.display() + "\"", e);
        }
        if (result.exitCode() != 0 || result.stopRequested()) {
            throw new UserCodeException(FailureMessage.of("ExecuteUserScriptError", command, result));
        }
    }

    private void logInvocation(Command command, Map<String, String> shown) {
        if (!log.isInfoEnabled()) {
            return;
        }
        Map<String, String> variables = new LinkedHashMap<>();
        env.envVars().keySet().forEach(name -> variables.put(name, shown.get(name)));
        variables.put("PYTHONPATH", shown.get("PYTHONPATH"));
        log.info("{}", EnvironmentLog.describe(env, variables, command.argv()));
    }

    private void checkStop() {
        if (stop.requested()) {
            throw new LauncherException(Category.USER, 128 + stop.signalNumber(),
                    "Training stopped: the launcher received a stop signal before the entry point started");
        }
    }

    /** {@code sagemaker_mpi_num_of_processes_per_host} when present (quirk #34 Fix), else GPUs, else Neuron cores, else 1. */
    int processesPerHost() {
        return intParameter("sagemaker_mpi_num_of_processes_per_host")
                .orElse(env.numGpus() > 0 ? env.numGpus() : env.numNeurons() > 0 ? env.numNeurons() : 1);
    }

    private Optional<Integer> intParameter(String name) {
        Object value = env.frameworkParameters().get(name);
        if (value == null) {
            return Optional.empty();
        }
        try {
            int number = value instanceof BigInteger big ? big.intValueExact() : Integer.parseInt(PyValues.str(value).strip());
            if (number < 1) {
                throw new NumberFormatException();
            }
            return Optional.of(number);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new LauncherException(Category.USER, 1, "Hyperparameter " + name + " must be a positive integer, got " + PyValues.repr(value));
        }
    }

    /** Model parallelism from the {@code mp_parameters} hyperparameter (quirk #24 Fix). */
    private boolean modelParallel() {
        Object mp = env.hyperparameters().get("mp_parameters");
        return mp != null && !(mp instanceof Map<?, ?> map && map.isEmpty()) && !"{}".equals(mp);
    }

    private Optional<String> smddpmprun(Map<String, String> environment) {
        Object mp = env.hyperparameters().get("mp_parameters");
        String backend = mp instanceof Map<?, ?> map && map.get("ddp_dist_backend") != null ? PyValues.str(map.get("ddp_dist_backend")) : "auto";
        if (!"auto".equals(backend)) {
            return Optional.empty();
        }
        for (String dir : environment.getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Paths.get(dir, "smddpmprun"))) {
                return Optional.of("smddpmprun");
            }
        }
        return Optional.empty();
    }

    /** {@code SMC_GETHOSTNAME_LIBRARY}: the LD_PRELOAD library of §9.5, passed to ranks only when it exists. */
    private Optional<String> gethostnameLibrary() {
        String configured = processEnvironment.variables().getOrDefault("SMC_GETHOSTNAME_LIBRARY", "");
        if (!configured.isEmpty() && Files.isRegularFile(Paths.get(configured))) {
            return Optional.of(configured);
        }
        return Optional.empty();
    }

    private Process startSshd() {
        Path sshd = Paths.get("/usr/sbin/sshd");
        log.info("Creating SSH daemon.");
        if (!Files.isExecutable(sshd)) {
            throw new LauncherException(Category.PLATFORM, 1, MpiWorker.sshdMissing(sshd.toString()));
        }
        try {
            return new ProcessBuilder(sshd.toString(), "-D").inheritIO().start();
        } catch (IOException e) {
            throw new LauncherException(Category.PLATFORM, 1, "Cannot start " + sshd + ": " + e, e);
        }
    }
}
