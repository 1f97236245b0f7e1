package io.smcontainers.env.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** A job folder written by a test: the three config files, with defaults for what a test does not set. */
final class JobFolder {
    final Path base;
    final Map<String, String> environment = new LinkedHashMap<>();

    JobFolder(Path base) throws IOException {
        this.base = base;
        Files.createDirectories(base.resolve("input/config"));
        hyperparameters("{}");
        inputDataConfig("{}");
        resourceConfig("{\"current_host\": \"algo-1\", \"hosts\": [\"algo-1\"]}");
        environment.put("SAGEMAKER_BASE_DIR", base.toString());
    }

    JobFolder hyperparameters(String json) throws IOException {
        return write("hyperparameters.json", json);
    }

    JobFolder inputDataConfig(String json) throws IOException {
        return write("inputdataconfig.json", json);
    }

    JobFolder resourceConfig(String json) throws IOException {
        return write("resourceconfig.json", json);
    }

    JobFolder write(String file, String content) throws IOException {
        Files.writeString(base.resolve("input/config").resolve(file), content, StandardCharsets.UTF_8);
        return this;
    }

    JobFolder env(String name, String value) {
        environment.put(name, value);
        return this;
    }

    Path config(String file) {
        return base.resolve("input/config").resolve(file);
    }

    TrainingEnv read() {
        return read(HardwareInfo.fixed(0, 0, 4));
    }

    TrainingEnv read(HardwareInfo hardware) {
        return TrainingEnv.read(environment, hardware);
    }
}
