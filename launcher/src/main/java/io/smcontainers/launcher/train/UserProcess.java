package io.smcontainers.launcher.train;

import static java.util.Objects.requireNonNull;

import io.smcontainers.env.core.EnvironmentLog;
import io.smcontainers.env.core.TrainingEnv;
import io.smcontainers.framework.spi.Framework;
import io.smcontainers.framework.spi.UserCodeException;
import io.smcontainers.launcher.error.LauncherException;
import io.smcontainers.launcher.error.LauncherException.Category;
import io.smcontainers.launcher.process.Command;
import io.smcontainers.launcher.process.FailureMessage;
import io.smcontainers.launcher.process.ProcessLauncher;
import io.smcontainers.launcher.process.ProcessResult;
import jakarta.inject.Inject;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the command a runner built and waits for it: the framework's {@link Framework#customizeCommand} first, then
 * the invocation dump in the log, then {@link ProcessLauncher}; a non-zero exit or a stop is the user's failure.
 */
public final class UserProcess {
    private static final Logger log = LoggerFactory.getLogger(UserProcess.class);

    private final TrainingEnv env;
    private final ProcessLauncher launcher;
    private final Framework framework;

    @Inject
    UserProcess(TrainingEnv env, ProcessLauncher launcher, Framework framework) {
        this.env = requireNonNull(env, "env is null");
        this.launcher = requireNonNull(launcher, "launcher is null");
        this.framework = requireNonNull(framework, "framework is null");
    }

    /**
     * Runs {@code built} to its end; the invocation dump shows its {@code SM_*} variables and {@code PYTHONPATH}.
     *
     * @param capture keep a bounded tail of stderr for the failure message
     */
    void run(Command built, boolean capture) throws UserCodeException {
        Command command = new Command(
                framework.customizeCommand(built.argv(), built.environment()), built.workingDir(), built.environment());
        logInvocation(command);
        ProcessResult result;
        try {
            result = launcher.run(command, capture);
        } catch (IOException e) {
            throw new LauncherException(
                    Category.USER,
                    2,
                    "Cannot start " + EnvironmentLog.shorten(command.argv().get(0), 200) + ": "
                            + EnvironmentLog.shorten(e.getMessage(), 200)
                            + ". Command \"" + command.display() + "\"",
                    e);
        }
        if (result.exitCode() != 0 || result.stopRequested()) {
            throw new UserCodeException(FailureMessage.of("ExecuteUserScriptError", command, result));
        }
    }

    private void logInvocation(Command command) {
        if (!log.isInfoEnabled()) {
            return;
        }
        Map<String, String> shown = command.environment();
        Map<String, String> variables = new LinkedHashMap<>();
        env.envVars().keySet().forEach(name -> variables.put(name, shown.get(name)));
        variables.put("PYTHONPATH", shown.get("PYTHONPATH"));
        log.info("{}", EnvironmentLog.describe(env, variables, command.argv()));
    }
}
