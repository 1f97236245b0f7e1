package io.smcontainers.launcher.train;

import static java.util.Objects.requireNonNull;

import io.smcontainers.env.core.ProcessEnvironment;
import io.smcontainers.env.core.TrainingEnv;
import io.smcontainers.framework.spi.Framework;
import io.smcontainers.framework.spi.RunOptions;
import io.smcontainers.framework.spi.TrainingContext;
import io.smcontainers.framework.spi.UserCodeException;
import io.smcontainers.launcher.code.CodeFetcher;
import io.smcontainers.launcher.code.EntryPointType;
import io.smcontainers.launcher.code.Installer;
import io.smcontainers.launcher.distributed.HostResolution;
import io.smcontainers.launcher.error.LauncherException;
import io.smcontainers.launcher.error.LauncherException.Category;
import io.smcontainers.launcher.process.StopSignal;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every runner needs done first (training contract §1 step 4, §7, §7.6): the entry point and its arguments, the
 * code fetched into the code dir and installed, the user process environment, and on a cluster the wait until every
 * host name resolves. A stop request ends it between steps (and inside the fetch and the waits).
 */
public final class EntryPointPreparation {
    private static final Logger log = LoggerFactory.getLogger(EntryPointPreparation.class);

    private final TrainingEnv env;
    private final ProcessEnvironment processEnvironment;
    private final LauncherSettings settings;
    private final CodeFetcher fetcher;
    private final Installer installer;
    private final StopSignal stop;
    private final Framework framework;

    @Inject
    EntryPointPreparation(
            TrainingEnv env,
            ProcessEnvironment processEnvironment,
            LauncherSettings settings,
            CodeFetcher fetcher,
            Installer installer,
            StopSignal stop,
            Framework framework) {
        this.env = requireNonNull(env, "env is null");
        this.processEnvironment = requireNonNull(processEnvironment, "processEnvironment is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.fetcher = requireNonNull(fetcher, "fetcher is null");
        this.installer = requireNonNull(installer, "installer is null");
        this.stop = requireNonNull(stop, "stop is null");
        this.framework = requireNonNull(framework, "framework is null");
    }

    PreparedEntryPoint prepare(TrainingContext context, RunOptions options) throws UserCodeException {
        String entryPoint = options.entryPoint()
                .or(env::userEntryPoint)
                .orElseThrow(() -> new LauncherException(
                        Category.USER,
                        1,
                        "No entry point to run: set the environment variable SAGEMAKER_PROGRAM or the hyperparameter sagemaker_program "
                                + "(the SDK's entry_point), or SAGEMAKER_TRAINING_MODULE for a framework"));
        List<String> args = options.args().isEmpty() ? env.cmdArgs() : options.args();
        Path codeDir = env.paths().code();
        checkStop();
        fetcher.fetch(env.moduleDir(), codeDir);
        EntryPointType type = EntryPointType.detect(codeDir, entryPoint);
        Map<String, String> userEnvironment = userEnvironment(context, options);
        List<String> python = type == EntryPointType.PYTHON_PACKAGE
                        || type == EntryPointType.PYTHON_PROGRAM
                        || Files.isRegularFile(codeDir.resolve("requirements.txt"))
                ? List.of(Interpreters.python(userEnvironment))
                : List.of("python3");
        checkStop();
        installer.install(type, entryPoint, codeDir, python, userEnvironment);
        if (env.hosts().size() > 1) {
            if ("true".equalsIgnoreCase(processEnvironment.variables().getOrDefault("SM_STUDIO_LOCAL_MODE", ""))) {
                log.info("Bypass DNS check in case of Studio Local Mode execution.");
            } else {
                HostResolution.await(env.hosts(), settings.hostResolutionLimit(), stop);
            }
        }
        checkStop();
        return new PreparedEntryPoint(type, entryPoint, args, python, userEnvironment, codeDir, options.captureError());
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

    private void checkStop() {
        stop.check("preparing the entry point");
    }
}
