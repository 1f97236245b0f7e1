package io.smcontainers.launcher.train;

import static java.util.Objects.requireNonNull;

import io.smcontainers.env.core.ProcessEnvironment;
import io.smcontainers.env.core.TrainingEnv;
import io.smcontainers.framework.spi.Framework;
import io.smcontainers.framework.spi.TrainingContext;
import io.smcontainers.framework.spi.UserCodeException;
import io.smcontainers.launcher.error.LauncherException;
import io.smcontainers.launcher.error.LauncherException.Category;
import io.smcontainers.launcher.process.Command;
import io.smcontainers.launcher.process.FailureMessage;
import io.smcontainers.launcher.process.ProcessLauncher;
import io.smcontainers.launcher.process.ProcessResult;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Python framework module named by {@code SAGEMAKER_TRAINING_MODULE=module:function} (training contract §1 step 4):
 * runs {@code python3} to import the module and call the function with no arguments, as the reference does in its own
 * interpreter. The module is then responsible for running the entry point itself (through the Python toolkit it
 * imports). A non-zero exit of that interpreter is the job's failure.
 */
public final class PythonModuleFramework implements Framework {
    static final String BOOTSTRAP = "import importlib, sys\n"
            + "module = importlib.import_module(sys.argv[1])\n"
            + "print('Imported framework ' + sys.argv[1], file=sys.stderr, flush=True)\n"
            + "getattr(module, sys.argv[2])()\n";

    private final String module;
    private final String function;
    private final ProcessLauncher launcher;
    private final Map<String, String> environment;

    @Inject
    PythonModuleFramework(TrainingEnv env, ProcessLauncher launcher, ProcessEnvironment processEnvironment) {
        this(
                env.frameworkModule().orElseThrow(),
                launcher,
                merge(processEnvironment.variables(), env.toolkitVariables()));
    }

    private static Map<String, String> merge(Map<String, String> first, Map<String, String> second) {
        Map<String, String> all = new LinkedHashMap<>(first);
        all.putAll(second);
        return all;
    }

    PythonModuleFramework(String value, ProcessLauncher launcher, Map<String, String> environment) {
        String[] parts = value.split(":", -1);
        if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw new LauncherException(
                    Category.USER,
                    1,
                    "SAGEMAKER_TRAINING_MODULE '" + value
                            + "' must be module:function (a Python framework) or a Java class name implementing "
                            + Framework.class.getName());
        }
        this.module = parts[0];
        this.function = parts[1];
        this.launcher = requireNonNull(launcher, "launcher is null");
        this.environment = new LinkedHashMap<>(environment);
    }

    @Override
    public String name() {
        return module + ":" + function;
    }

    @Override
    public void train(TrainingContext context) throws Exception {
        Command command = new Command(
                List.of(Interpreters.python(environment), "-c", BOOTSTRAP, module, function),
                Paths.get("").toAbsolutePath(),
                environment);
        ProcessResult result;
        try {
            result = launcher.run(command, true);
        } catch (IOException e) {
            throw new LauncherException(
                    Category.PLATFORM, 2, "Cannot start Python for the framework module " + name() + ": " + e, e);
        }
        if (result.exitCode() != 0 || result.stopRequested()) {
            throw new UserCodeException(FailureMessage.of("FrameworkModuleError", command, result));
        }
    }
}
