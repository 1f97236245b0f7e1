package io.smcontainers.env.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Base-dir resolution (training contract §2.2): {@code SAGEMAKER_BASE_DIR} when set (even empty), else
 * {@code /opt/ml} when it exists, else the local fallback under {@code ~/sagemaker_local/jobs/<time>/opt/ml}
 * with default config files (§2.3). {@code <base>/code} is created either way.
 */
public final class BaseDir {
    static final String BASE_DIR_VARIABLE = "SAGEMAKER_BASE_DIR";
    private static final Logger log = LoggerFactory.getLogger(BaseDir.class);

    private final JobPaths paths;
    private final Optional<Path> fallback;

    private BaseDir(JobPaths paths, Optional<Path> fallback) {
        this.paths = paths;
        this.fallback = fallback;
    }

    public JobPaths paths() {
        return paths;
    }

    /** The base created by the local fallback; the toolkit exports it as {@code SAGEMAKER_BASE_DIR}. */
    public Optional<Path> fallback() {
        return fallback;
    }

    /** Resolves with the real {@code /opt/ml}, home directory, host name and clock. */
    public static BaseDir resolve(Map<String, String> processEnvironment) {
        String home = processEnvironment.getOrDefault("HOME", System.getProperty("user.home"));
        return resolve(
                processEnvironment, Path.of("/opt/ml"), Path.of(home), Hostname.current(), System.currentTimeMillis());
    }

    static BaseDir resolve(Map<String, String> environment, Path optMl, Path home, String hostname, long epochMillis) {
        Optional<Path> fallback = Optional.empty();
        Path base;
        if (environment.containsKey(BASE_DIR_VARIABLE)) {
            base = Path.of(environment.get(BASE_DIR_VARIABLE));
        } else if (Files.exists(optMl)) {
            base = optMl;
        } else {
            String timestamp = PyFloat.repr(epochMillis / 1000.0);
            base = home.resolve("sagemaker_local")
                    .resolve("jobs")
                    .resolve(timestamp)
                    .resolve("opt")
                    .resolve("ml");
            createFallback(new JobPaths(base), hostname);
            fallback = Optional.of(base);
            log.info("No /opt/ml and no {}: using the local job folder {}", BASE_DIR_VARIABLE, base);
        }
        JobPaths paths = new JobPaths(base);
        try {
            Files.createDirectories(paths.code());
        } catch (IOException e) {
            throw new EnvironmentException(
                    paths.code(),
                    null,
                    "cannot create the code directory: " + e + "; make the base dir writable or point "
                            + BASE_DIR_VARIABLE + " elsewhere",
                    1,
                    e);
        }
        return new BaseDir(paths, fallback);
    }

    private static void createFallback(JobPaths paths, String hostname) {
        try {
            Files.createDirectories(paths.model());
            Files.createDirectories(paths.inputConfig());
            Files.createDirectories(paths.outputData());
            Files.writeString(paths.hyperparametersFile(), "{}", StandardCharsets.UTF_8);
            Files.writeString(paths.inputDataConfigFile(), "{}", StandardCharsets.UTF_8);
            String host = pythonDefaultJson(hostname);
            // The exact file the Python training toolkit writes (including its current_instance_group key).
            Files.writeString(
                    paths.resourceConfigFile(),
                    "{\"current_host\": " + host + ", \"hosts\": [" + host
                            + "], \"current_instance_group\": \"homogeneousCluster\", "
                            + "\"instance_groups\": [{\"instance_group_name\": \"homogeneousCluster\", \"instance_type\": \"local\", \"hosts\": ["
                            + host + "]}]}",
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the local job folder " + paths.base(), e);
        }
    }

    private static String pythonDefaultJson(String text) {
        return PyJson.dumps(List.of(text)).replaceAll("^\\[|\\]$", "");
    }
}
