package io.smcontainers.launcher;

import io.smcontainers.env.core.EnvironmentException;
import io.smcontainers.env.core.PyJson;
import io.smcontainers.env.core.TrainingEnv;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code sagemaker-toolkit env [--json]}: what the user code of the job described by the process environment
 * and base dir would get. {@code --json} prints {@code {"env_vars": {...}, "cmd_args": [...]}} on one line;
 * without it, {@code NAME=value} lines in the reference's build order.
 */
final class EnvCommand {
    static final String USAGE = "usage: sagemaker-toolkit env [--json]";

    private EnvCommand() {}

    static int run(List<String> args, Map<String, String> environment, PrintStream out, PrintStream err) {
        boolean json = false;
        for (String arg : args) {
            if (arg.equals("--json")) {
                json = true;
            } else if (arg.equals("-h") || arg.equals("--help")) {
                out.println(USAGE);
                return 0;
            } else {
                err.println("sagemaker-toolkit env: unknown option '" + arg + "'");
                err.println(USAGE);
                return 2;
            }
        }
        TrainingEnv env;
        try {
            env = Bootstrap.env(environment).getInstance(TrainingEnv.class);
        } catch (RuntimeException e) {
            if (Bootstrap.cause(e) instanceof EnvironmentException bad) {
                err.println("sagemaker-toolkit env: " + bad.getMessage());
                return 1;
            }
            throw e;
        }
        if (json) {
            Map<String, Object> document = new LinkedHashMap<>();
            document.put("env_vars", env.envVars());
            document.put("cmd_args", env.cmdArgs());
            out.println(PyJson.dumps(document, false, -1));
        } else {
            env.envVars().forEach((name, value) -> out.println(name + "=" + value));
        }
        return 0;
    }
}
