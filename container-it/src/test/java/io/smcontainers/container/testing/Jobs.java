package io.smcontainers.container.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Job folders as SageMaker lays them out under /opt/ml, on the host side of the bind mount. */
public final class Jobs {
    private Jobs() {}

    /** A single-host training job whose code folder holds {@code train.sh} with {@code script}. */
    public static Path training(Path job, String script) throws IOException {
        Files.createDirectories(job.resolve("input/config"));
        Files.createDirectories(job.resolve("input/data/training"));
        Files.createDirectories(job.resolve("code"));
        Files.createDirectories(job.resolve("model"));
        Files.writeString(job.resolve("input/config/hyperparameters.json"), "{\"epochs\": \"2\"}");
        Files.writeString(
                job.resolve("input/config/inputdataconfig.json"), "{\"training\": {\"TrainingInputMode\": \"File\"}}");
        Files.writeString(
                job.resolve("input/config/resourceconfig.json"),
                "{\"current_host\": \"algo-1\", \"hosts\": [\"algo-1\"], \"network_interface_name\": \"eth0\"}");
        Path train = Files.writeString(job.resolve("code/train.sh"), "#!/bin/sh\n" + script);
        Files.setPosixFilePermissions(train, PosixFilePermissions.fromString("rwxr-xr-x"));
        return job;
    }
}
