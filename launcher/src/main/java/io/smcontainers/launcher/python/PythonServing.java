package io.smcontainers.launcher.python;

import io.smcontainers.env.core.ServingEnv;
import io.smcontainers.gpu.probe.HardwareProbe;
import io.smcontainers.launcher.code.CodeFetcher;
import io.smcontainers.launcher.code.S3Sources;
import io.smcontainers.launcher.process.StopSignal;
import io.smcontainers.launcher.train.Interpreters;
import io.smcontainers.serving.netty.PythonBackend;
import io.smcontainers.serving.netty.PythonOptions;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The launcher's half of the Python backend (python-workers spec 3.2-3.3): finds the user code, installs its
 * {@code requirements.txt} before the first worker, picks the interpreter and W, and opens the serving-netty
 * {@link PythonBackend}.
 */
public final class PythonServing {
    private static final Logger log = LoggerFactory.getLogger(PythonServing.class);

    private PythonServing() {}

    /**
     * The Python backend for this model, or empty when there is nothing for it to serve and it was not asked for
     * ({@code SMC_SERVING_BACKEND=python}): no resolvable user module, no framework defaults, not a multi-model endpoint.
     *
     * @param stop the serve command's stop request: it ends a fetch of {@code SAGEMAKER_SUBMIT_DIRECTORY} at once
     * @throws StopSignal.StoppedException when a stop was requested while the user code was being fetched
     */
    public static Optional<PythonBackend> open(
            Map<String, String> variables,
            ServingEnv env,
            Path modelDir,
            Optional<URL> frameworkDefaults,
            boolean asked,
            StopSignal stop)
            throws IOException {
        PythonCode code = PythonCode.locate(
                variables, env.baseDir(), modelDir, new CodeFetcher(() -> S3Sources.sdk(variables, variables), stop));
        if (!asked && !code.resolvable(modelDir) && frameworkDefaults.isEmpty() && !env.multiModel()) {
            return Optional.empty();
        }
        env.servingModule()
                .filter(module -> module.contains(":"))
                .ifPresent(module -> log.warn(
                        "SAGEMAKER_SERVING_MODULE={} names a Python "
                                + "WSGI app; it is not used: the Python backend calls the handler functions of {} itself",
                        module,
                        code.module()));
        String python = Interpreters.python(variables);
        HardwareProbe probe = HardwareProbe.fromEnvironment(variables);
        boolean install = !variables
                        .getOrDefault("SMC_PY_INSTALL_REQUIREMENTS", "true")
                        .strip()
                        .equalsIgnoreCase("false")
                && !env.multiModel()
                && code.codeDir().isPresent();
        boolean installModule = flag(variables, "SMC_PY_INSTALL_MODULE")
                && !env.multiModel()
                && code.codeDir().isPresent();
        boolean installModelRequirements = flag(variables, "SMC_MME_INSTALL_REQUIREMENTS") && env.multiModel();
        PythonOptions options = new PythonOptions(
                python,
                env.multiModel() ? Optional.empty() : code.codeDir(),
                code.module(),
                code.explicit(),
                code.extraPath(),
                frameworkDefaults,
                probe.gpuCount(),
                probe.cpuCount(),
                variables,
                () -> {
                    if (install) {
                        Requirements.install(python, code.codeDir().get(), variables, System.out);
                    }
                    if (installModule) {
                        Requirements.installModule(python, code.codeDir().get(), variables, System.out);
                    }
                },
                modelCode -> {
                    if (installModelRequirements && Files.isDirectory(modelCode)) {
                        Requirements.installInto(
                                python, modelCode, modelCode.resolve(".smc-site"), variables, System.out);
                    }
                });
        log.info(
                "Python backend: {} with module {} from {}{}",
                python,
                code.module(),
                code.codeDir().map(Path::toString).orElse("(no code dir)"),
                frameworkDefaults.map(url -> ", framework defaults " + url).orElse(""));
        return Optional.of(PythonBackend.open(options, withWorkers(variables, env)));
    }

    /** A {@code true}/{@code false} variable (any case), default false; anything else is an error naming it. */
    private static boolean flag(Map<String, String> variables, String name) {
        String value = variables.getOrDefault(name, "false").strip();
        if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException(name + " must be true or false, got '" + value + "'");
        }
        return value.equalsIgnoreCase("true");
    }

    /** W for Python workers when SAGEMAKER_MODEL_SERVER_WORKERS is unset: the GPU count, else the instance's CPUs (spec 3.3). */
    public static ServingEnv withWorkers(Map<String, String> variables, ServingEnv env) {
        if (variables.containsKey("SAGEMAKER_MODEL_SERVER_WORKERS")) {
            return env;
        }
        HardwareProbe probe = HardwareProbe.fromEnvironment(variables);
        int workers = probe.gpuCount() > 0 ? probe.gpuCount() : Math.max(1, probe.cpuCount());
        return env.withWorkers(workers);
    }
}
