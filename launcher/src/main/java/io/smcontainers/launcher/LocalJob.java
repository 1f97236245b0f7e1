package io.smcontainers.launcher;

import static java.util.Objects.requireNonNull;

import io.smcontainers.env.core.PyJson;
import io.smcontainers.launcher.error.LauncherException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A job folder laid out as SageMaker lays out {@code /opt/ml} for a script-mode job started by the SageMaker Python
 * SDK: {@code input/config/hyperparameters.json} with every value JSON-encoded into a string and the SDK's reserved
 * keys ({@code sagemaker_program}, {@code sagemaker_submit_directory}, {@code sagemaker_container_log_level},
 * {@code sagemaker_job_name}, {@code sagemaker_region}), {@code inputdataconfig.json} with one File-mode channel per
 * {@code --channel}, {@code resourceconfig.json} for one host {@code algo-1}, the channels under
 * {@code input/data/<name>} (a directory is linked, as local mode mounts it; a file is copied into a directory),
 * and empty {@code code}, {@code model} and {@code output/data} directories. The code is fetched from the source
 * directory by {@code train} itself, as from {@code sagemaker_submit_directory} in SageMaker.
 */
record LocalJob(
        String name,
        Path base,
        Path sourceDir,
        String entryPoint,
        Map<String, Object> hyperparameters,
        Map<String, Path> channels,
        String region) {
    LocalJob {
        requireNonNull(name, "name is null");
        requireNonNull(base, "base is null");
        hyperparameters = new LinkedHashMap<>(hyperparameters);
        channels = new LinkedHashMap<>(channels);
    }

    void layOut() {
        try {
            if (Files.exists(base)) {
                try (Stream<Path> entries = Files.list(base)) {
                    if (entries.findAny().isPresent()) {
                        throw new LauncherException(
                                LauncherException.Category.USER,
                                2,
                                "--output " + base
                                        + " is not empty: give a new or empty directory (a job folder is used once)");
                    }
                }
            }
            Path config = Files.createDirectories(base.resolve("input/config"));
            Files.createDirectories(base.resolve("input/data"));
            Files.createDirectories(base.resolve("code"));
            Files.createDirectories(base.resolve("model"));
            Files.createDirectories(base.resolve("output/data"));
            Files.writeString(config.resolve("hyperparameters.json"), hyperparametersJson(), StandardCharsets.UTF_8);
            Map<String, Object> dataConfig = new LinkedHashMap<>();
            for (String channel : channels.keySet()) {
                Map<String, Object> one = new LinkedHashMap<>();
                one.put("TrainingInputMode", "File");
                one.put("S3DistributionType", "FullyReplicated");
                one.put("RecordWrapperType", "None");
                dataConfig.put(channel, one);
            }
            Files.writeString(
                    config.resolve("inputdataconfig.json"), PyJson.dumps(dataConfig, false, 2), StandardCharsets.UTF_8);
            Files.writeString(config.resolve("resourceconfig.json"), resourceConfigJson(), StandardCharsets.UTF_8);
            for (Map.Entry<String, Path> channel : channels.entrySet()) {
                Path target = base.resolve("input/data").resolve(channel.getKey());
                if (Files.isDirectory(channel.getValue())) {
                    Files.createSymbolicLink(target, channel.getValue());
                } else {
                    Files.createDirectories(target);
                    Files.copy(
                            channel.getValue(),
                            target.resolve(channel.getValue().getFileName()),
                            StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        } catch (IOException e) {
            throw new LauncherException(
                    LauncherException.Category.USER, 2, "Cannot lay out the job folder " + base + ": " + e, e);
        }
    }

    /** As the SDK writes it: user values first, then the reserved keys, every value a JSON text in a string. */
    String hyperparametersJson() {
        Map<String, Object> encoded = new LinkedHashMap<>();
        hyperparameters.forEach((k, v) -> encoded.put(k, PyJson.dumps(v, false, -1)));
        encoded.put("sagemaker_program", PyJson.dumps(entryPoint));
        encoded.put("sagemaker_submit_directory", PyJson.dumps(sourceDir.toString()));
        encoded.put("sagemaker_container_log_level", "20");
        encoded.put("sagemaker_job_name", PyJson.dumps(name));
        encoded.put("sagemaker_region", PyJson.dumps(region));
        return PyJson.dumps(encoded, false, 2);
    }

    static String resourceConfigJson() {
        Map<String, Object> group = new LinkedHashMap<>();
        group.put("instance_group_name", "homogeneousCluster");
        group.put("instance_type", "local");
        group.put("hosts", List.of("algo-1"));
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("current_host", "algo-1");
        config.put("current_instance_type", "local");
        config.put("current_group_name", "homogeneousCluster");
        config.put("hosts", List.of("algo-1"));
        config.put("instance_groups", List.of(group));
        config.put("network_interface_name", "eth0");
        return PyJson.dumps(config, false, 2);
    }
}
