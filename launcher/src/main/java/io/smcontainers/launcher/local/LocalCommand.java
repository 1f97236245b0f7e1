package io.smcontainers.launcher.local;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/** {@code sagemaker-toolkit local train ...}. */
public final class LocalCommand {
    private LocalCommand() {}

    public static int run(List<String> args, Map<String, String> environment, PrintStream out, PrintStream err) {
        err.println("local: not implemented yet");
        return 2;
    }
}
