package io.smcontainers.launcher;

import io.smcontainers.env.core.PyJson;
import io.smcontainers.launcher.error.LauncherException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;
import java.util.stream.Stream;

/**
 * {@code sagemaker-toolkit local train --source-dir DIR --entry-point FILE [--hyperparameters JSON]
 * [--channel NAME=PATH]... [--output DIR]}: lays out a job folder as SageMaker does ({@link LocalJob}) and runs
 * {@code train} on it, then prints where the model and the output are.
 */
public final class LocalCommand {
    static final String USAGE = "usage: sagemaker-toolkit local train --source-dir DIR --entry-point FILE "
            + "[--hyperparameters JSON] [--channel NAME=PATH]... [--output DIR]\n";

    private LocalCommand() {}

    /**
     * @param train runs {@code train} with the given process environment and returns its exit code
     */
    public static int run(
            List<String> args,
            Map<String, String> environment,
            ToIntFunction<Map<String, String>> train,
            PrintStream out,
            PrintStream err) {
        if (args.isEmpty() || !args.get(0).equals("train")) {
            err.print(USAGE);
            return 2;
        }
        LocalJob job;
        try {
            job = parse(args.subList(1, args.size()), environment);
            job.layOut();
        } catch (LauncherException e) {
            err.println("sagemaker-toolkit local: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
        Map<String, String> trainEnvironment = new LinkedHashMap<>(environment);
        trainEnvironment.put("SAGEMAKER_BASE_DIR", job.base().toString());
        trainEnvironment.put("TRAINING_JOB_NAME", job.name());
        int code = train.applyAsInt(trainEnvironment);
        out.println();
        out.println(
                code == 0
                        ? "Training job " + job.name() + " succeeded."
                        : "Training job " + job.name() + " failed (exit code " + code + "): see "
                                + job.base().resolve("output/failure"));
        out.println("Job folder: " + job.base());
        out.println("Model:      " + job.base().resolve("model")
                + listing(job.base().resolve("model")));
        out.println("Output:     " + job.base().resolve("output/data")
                + listing(job.base().resolve("output/data")));
        out.flush();
        return code;
    }

    private static String listing(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            List<String> names =
                    files.map(p -> p.getFileName().toString()).sorted().toList();
            return names.isEmpty() ? " (empty)" : " (" + String.join(", ", names) + ")";
        } catch (IOException e) {
            return "";
        }
    }

    static LocalJob parse(List<String> args, Map<String, String> environment) {
        Path sourceDir = null;
        String entryPoint = null;
        Map<String, Object> hyperparameters = new LinkedHashMap<>();
        Map<String, Path> channels = new LinkedHashMap<>();
        Path output = null;
        for (int i = 0; i < args.size(); i++) {
            String option = args.get(i);
            if (i + 1 >= args.size()) {
                throw usage("option " + option + " needs a value");
            }
            String value = args.get(++i);
            switch (option) {
                case "--source-dir" ->
                    sourceDir = Paths.get(value).toAbsolutePath().normalize();
                case "--entry-point" -> entryPoint = value;
                case "--output" -> output = Paths.get(value).toAbsolutePath().normalize();
                case "--hyperparameters" -> hyperparameters.putAll(hyperparameters(value));
                case "--channel" -> {
                    int equals = value.indexOf('=');
                    if (equals <= 0 || equals == value.length() - 1) {
                        throw usage("--channel takes NAME=PATH, got '" + value + "'");
                    }
                    String name = value.substring(0, equals);
                    if (name.contains("/") || name.equals(".") || name.equals("..")) {
                        throw usage("channel name '" + name + "' must not contain '/' or be . or ..");
                    }
                    channels.put(
                            name,
                            Paths.get(value.substring(equals + 1))
                                    .toAbsolutePath()
                                    .normalize());
                }
                default -> throw usage("unknown option " + option);
            }
        }
        if (sourceDir == null || entryPoint == null) {
            throw usage("--source-dir and --entry-point are required");
        }
        if (!Files.isDirectory(sourceDir)) {
            throw usage("--source-dir " + sourceDir + " is not a directory");
        }
        if (!Files.exists(sourceDir.resolve(entryPoint))) {
            throw usage("--entry-point " + entryPoint + " does not exist in " + sourceDir);
        }
        for (Map.Entry<String, Path> channel : channels.entrySet()) {
            if (!Files.exists(channel.getValue())) {
                throw usage("channel " + channel.getKey() + ": " + channel.getValue() + " does not exist");
            }
        }
        String stem = Paths.get(entryPoint)
                .getFileName()
                .toString()
                .replaceAll("\\.[^.]*$", "")
                .replaceAll("[^A-Za-z0-9-]", "-");
        String name = "local-" + stem + "-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd-HH-mm-ss-SSS"));
        if (output == null) {
            output = Paths.get("sagemaker-local", name).toAbsolutePath();
        }
        String region = first(environment, "AWS_REGION", "AWS_DEFAULT_REGION", "us-east-1");
        return new LocalJob(name, output, sourceDir, entryPoint, hyperparameters, channels, region);
    }

    private static Map<String, Object> hyperparameters(String json) {
        Object parsed;
        try {
            parsed = PyJson.loads(json);
        } catch (PyJson.JsonSyntaxException e) {
            throw usage("--hyperparameters is not valid JSON (" + e.getMessage() + " at character " + e.position()
                    + "): " + json);
        }
        if (!(parsed instanceof Map<?, ?> map)) {
            throw usage("--hyperparameters must be a JSON object such as '{\"epochs\": 10, \"lr\": 0.1}', got " + json);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.put((String) k, v));
        return out;
    }

    private static String first(Map<String, String> environment, String a, String b, String fallback) {
        String value = environment.get(a);
        if (value == null || value.isEmpty()) {
            value = environment.get(b);
        }
        return value == null || value.isEmpty() ? fallback : value;
    }

    private static LauncherException usage(String message) {
        return new LauncherException(LauncherException.Category.USER, 2, message);
    }
}
