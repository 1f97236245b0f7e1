package io.smcontainers.launcher.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/** A SageMaker job folder in a temp dir, written as the platform writes it, plus a source directory. */
public final class JobFolder {
    private final Path base;
    private final Path source;
    private final Map<String, String> hyperparameters = new LinkedHashMap<>();
    private String resourceConfig =
            "{\"current_host\": \"algo-1\", \"hosts\": [\"algo-1\"], \"network_interface_name\": \"eth0\"}";

    public JobFolder(Path root) throws IOException {
        this.base = Files.createDirectories(root.resolve("opt-ml"));
        this.source = Files.createDirectories(root.resolve("src"));
        Files.createDirectories(base.resolve("input/data/training"));
        Files.createDirectories(base.resolve("model")); // the platform creates these
        Files.createDirectories(base.resolve("output/data"));
        Files.writeString(base.resolve("input/data/training/data.txt"), "1 2 3\n");
    }

    public Path base() {
        return base;
    }

    public Path source() {
        return source;
    }

    /** Adds a hyperparameter given as its JSON text (as the SDK encodes it). */
    public JobFolder hyperparameter(String name, String jsonText) {
        hyperparameters.put(name, jsonText);
        return this;
    }

    public JobFolder program(String name) {
        hyperparameters.put("sagemaker_program", "\"" + name + "\"");
        return submitDirectory(source.toString());
    }

    public JobFolder submitDirectory(String uri) {
        hyperparameters.put("sagemaker_submit_directory", "\"" + uri + "\"");
        return this;
    }

    public JobFolder resourceConfig(String json) {
        resourceConfig = json;
        return this;
    }

    public JobFolder sourceFile(String name, String content) throws IOException {
        Path file = source.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
        if (name.endsWith(".sh")) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return this;
    }

    /** Writes the three config files. */
    public JobFolder write() throws IOException {
        Path config = Files.createDirectories(base.resolve("input/config"));
        StringJoiner hps = new StringJoiner(", ", "{", "}");
        hyperparameters.forEach((k, v) -> hps.add(quote(k) + ": " + quote(v)));
        Files.writeString(config.resolve("hyperparameters.json"), hps.toString());
        Files.writeString(config.resolve("inputdataconfig.json"), "{\"training\": {\"TrainingInputMode\": \"File\"}}");
        Files.writeString(config.resolve("resourceconfig.json"), resourceConfig);
        return this;
    }

    public String failure() throws IOException {
        Path failure = base.resolve("output/failure");
        return Files.exists(failure) ? Files.readString(failure) : null;
    }

    public boolean succeeded() {
        return Files.exists(base.resolve("output/success"));
    }

    /** Whether the process runs: false when gone or a zombie (exited, waiting for init to reap it). */
    public static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException e) {
            return false;
        }
    }

    private static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
