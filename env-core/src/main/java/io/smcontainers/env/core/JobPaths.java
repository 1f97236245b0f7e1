package io.smcontainers.env.core;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/** Every path of the job folder, derived from the base dir (normally {@code /opt/ml}). */
public record JobPaths(Path base) {
    public JobPaths {
        requireNonNull(base, "base is null");
    }

    public Path code() {
        return base.resolve("code");
    }

    public Path model() {
        return base.resolve("model");
    }

    public Path input() {
        return base.resolve("input");
    }

    public Path inputConfig() {
        return input().resolve("config");
    }

    public Path hyperparametersFile() {
        return inputConfig().resolve("hyperparameters.json");
    }

    public Path inputDataConfigFile() {
        return inputConfig().resolve("inputdataconfig.json");
    }

    public Path resourceConfigFile() {
        return inputConfig().resolve("resourceconfig.json");
    }

    public Path inputData() {
        return input().resolve("data");
    }

    /**
     * The directory of a channel, as Python's {@code os.path.join} builds it: the name is used verbatim
     * (an empty name leaves a trailing slash), so this is a string rather than a normalised {@link Path}.
     */
    public String channel(String name) {
        if (name.startsWith("/")) {
            return name;
        }
        return inputData() + "/" + name;
    }

    public Path output() {
        return base.resolve("output");
    }

    public Path outputData() {
        return output().resolve("data");
    }

    public Path intermediate() {
        return output().resolve("intermediate");
    }

    public Path successFile() {
        return output().resolve("success");
    }

    public Path failureFile() {
        return output().resolve("failure");
    }
}
