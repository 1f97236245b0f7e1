package io.smcontainers.launcher;

import io.smcontainers.launcher.logging.LogSetup;
import io.smcontainers.launcher.process.OrphanReaper;
import io.smcontainers.launcher.warmup.WarmUpCommand;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The process entry point of {@code bin/sagemaker-toolkit}, {@code bin/train} and {@code bin/serve}.
 * The only class that reads the process environment and calls {@code System.exit} (ArchitectureTest); the commands
 * return exit codes. ({@code StopSignal} halts the JVM on a second signal during a server's drain.)
 */
public final class Main {
    private static final String USAGE = String.join(
            "\n",
            "usage: sagemaker-toolkit <command> [options]",
            "",
            "commands:",
            "  train                      run the training job in /opt/ml (SAGEMAKER_BASE_DIR), as SageMaker does",
            "  serve                      answer the SageMaker hosting contract on SAGEMAKER_BIND_TO_PORT (default 8080)",
            "  env [--json]               print the SM_* variables and CLI arguments the user code of this job gets",
            "  local train --source-dir DIR --entry-point FILE [--hyperparameters JSON]",
            "              [--channel NAME=PATH]... [--output DIR]",
            "                             lay out a job folder as SageMaker does and train on it",
            "  local serve --model-dir DIR [--port N]",
            "                             serve a model folder on 127.0.0.1 for local testing",
            "  warm-up                    write the start-up archives (CDS; AOT cache on JDK 25+) for this JVM into lib/",
            "  --version                  print the version",
            "");

    private Main() {}

    public static void main(String[] args) {
        if (args.length > 0 && List.of("train", "serve", "local").contains(args[0])) {
            Bootstrap.openClassPathInBackground();
        }
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
        LogSetup.useFormat(System.getenv());
        int code = run(Arrays.asList(args), System.getenv(), out, err);
        out.flush();
        err.flush();
        System.exit(code);
    }

    static int run(List<String> args, Map<String, String> environment, PrintStream out, PrintStream err) {
        if (args.isEmpty()) {
            err.print(USAGE);
            return 2;
        }
        String command = args.get(0);
        if (command.equals("train") || command.equals("serve")) {
            OrphanReaper.startIfInit(); // the container's entry point: reap like tini
        }
        List<String> rest = args.subList(1, args.size());
        switch (command) {
            case "serve":
                return ServeCommand.run(rest, environment);
            case "env":
                return EnvCommand.run(rest, environment, out, err);
            case "-h":
            case "--help":
            case "help":
                out.print(USAGE);
                return 0;
            case "train":
                return TrainCommand.run(environment);
            case "--version":
            case "version":
                out.println("sagemaker-toolkit " + version());
                return 0;
            case "warm-up":
                return WarmUpCommand.run(rest, environment, out, err);
            case "local":
                if (!rest.isEmpty() && rest.get(0).equals("serve")) {
                    // a local endpoint is for this machine only, unless SMC_BIND_ADDRESS says otherwise
                    Map<String, String> local = new HashMap<>(environment);
                    local.putIfAbsent("SMC_BIND_ADDRESS", "127.0.0.1");
                    return ServeCommand.run(rest.subList(1, rest.size()), local);
                }
                return LocalCommand.run(rest, environment, TrainCommand::run, out, err);
            default:
                err.println("sagemaker-toolkit: unknown command '" + command + "'");
                err.print(USAGE);
                return 2;
        }
    }

    /** The version from the launcher jar's manifest ({@code Implementation-Version}), "unknown" outside a jar. */
    static String version() {
        String version = Main.class.getPackage().getImplementationVersion();
        return version == null ? "unknown" : version;
    }
}
