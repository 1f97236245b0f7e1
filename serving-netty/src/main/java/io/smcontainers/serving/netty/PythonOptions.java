package io.smcontainers.serving.netty;

import static java.util.Objects.requireNonNull;

import java.net.URL;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the launcher resolved for the Python backend (python-workers spec 3.2-3.3).
 *
 * @param python the interpreter ({@code SMC_PYTHON}, default {@code python3})
 * @param codeDir the user code directory of a single model (for a multi-model endpoint each model's {@code code/})
 * @param module the user module name ({@code SAGEMAKER_PROGRAM} minus {@code .py}, default {@code inference})
 * @param moduleExplicit whether {@code SAGEMAKER_PROGRAM} named it (a missing explicit module fails the load)
 * @param extraPath directories put first on the workers' {@code sys.path}
 * @param frameworkDefaults a framework's Python defaults module ({@code Framework.pythonDefaults}), if any
 * @param gpus GPUs on the instance (0 on CPU): slot k gets {@code gpu_id = k mod gpus}
 * @param cpus the instance's CPU count ({@code OMP_NUM_THREADS} default)
 * @param environment the server environment the workers inherit (and {@code SMC_PY_*} settings)
 * @param prepare runs once before the first worker starts, while {@code /ping} answers 503 (the launcher installs
 *     {@code requirements.txt} here); an exception fails the start
 * @param prepareModel runs once per load of a multi-model endpoint's model, before its workers start, with the model's
 *     code dir ({@code <url>/code}, which may not exist); the launcher installs its {@code requirements.txt} into
 *     {@code code/.smc-site} here when {@code SMC_MME_INSTALL_REQUIREMENTS=true}, and that folder goes first on the
 *     workers' {@code sys.path}; an exception fails the load (500 with its message)
 */
public record PythonOptions(
        String python,
        Optional<Path> codeDir,
        String module,
        boolean moduleExplicit,
        List<Path> extraPath,
        Optional<URL> frameworkDefaults,
        int gpus,
        int cpus,
        Map<String, String> environment,
        Prepare prepare,
        PrepareModel prepareModel) {
    /** A step before any worker starts. */
    @FunctionalInterface
    public interface Prepare {
        void run() throws Exception;
    }

    /** A step before a multi-model endpoint's model starts its workers. */
    @FunctionalInterface
    public interface PrepareModel {
        void run(Path codeDir) throws Exception;
    }

    /** As the canonical constructor, with nothing to do per multi-model load. */
    public PythonOptions(
            String python,
            Optional<Path> codeDir,
            String module,
            boolean moduleExplicit,
            List<Path> extraPath,
            Optional<URL> frameworkDefaults,
            int gpus,
            int cpus,
            Map<String, String> environment,
            Prepare prepare) {
        this(
                python,
                codeDir,
                module,
                moduleExplicit,
                extraPath,
                frameworkDefaults,
                gpus,
                cpus,
                environment,
                prepare,
                modelCode -> {});
    }

    public PythonOptions {
        requireNonNull(python, "python is null");
        requireNonNull(codeDir, "codeDir is null");
        requireNonNull(module, "module is null");
        extraPath = List.copyOf(extraPath);
        requireNonNull(frameworkDefaults, "frameworkDefaults is null");
        environment = Map.copyOf(environment);
        requireNonNull(prepare, "prepare is null");
        requireNonNull(prepareModel, "prepareModel is null");
    }
}
