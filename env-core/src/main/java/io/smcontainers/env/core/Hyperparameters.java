package io.smcontainers.env.core;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hyperparameter decoding and the reserved split (training contract §3.1, §4.1): a string value that is a
 * complete JSON document (Python {@code json.loads}) becomes the decoded value, anything else is kept as is.
 */
record Hyperparameters(Map<String, Object> user, Map<String, Object> sagemaker, Map<String, Object> framework) {
    private static final Logger log = LoggerFactory.getLogger(Hyperparameters.class);
    /** The reserved hyperparameters: with the other {@code sagemaker_*} ones, never user hyperparameters or arguments. */
    static final Set<String> RESERVED = Set.of(
            "sagemaker_program",
            "sagemaker_submit_directory",
            "sagemaker_enable_cloudwatch_metrics",
            "sagemaker_region",
            "sagemaker_container_log_level",
            "sagemaker_job_name",
            "default_user_module_name",
            "_tuning_objective_metric",
            "sagemaker_s3_output");

    static Hyperparameters decode(Path file, Map<String, Object> raw) {
        Map<String, Object> user = new LinkedHashMap<>();
        Map<String, Object> sagemaker = new LinkedHashMap<>();
        Map<String, Object> framework = new LinkedHashMap<>();
        for (Map.Entry<String, Object> entry : raw.entrySet()) {
            String name = entry.getKey();
            Object value = decodeValue(file, name, entry.getValue());
            if (RESERVED.contains(name) || name.startsWith("sagemaker_")) {
                sagemaker.put(name, value);
                if (!RESERVED.contains(name)) {
                    framework.put(name, value);
                }
            } else {
                user.put(name, value);
            }
        }
        return new Hyperparameters(
                Collections.unmodifiableMap(user),
                Collections.unmodifiableMap(sagemaker),
                Collections.unmodifiableMap(framework));
    }

    static Object decodeValue(String name, Object value) {
        return decodeValue(null, name, value);
    }

    /** As the reference: a value that is not JSON stays a string, but one nested too deeply is an error (a RecursionError there). */
    static Object decodeValue(Path file, String name, Object value) {
        if (value instanceof String text) {
            try {
                return PyJson.loads(text);
            } catch (PyJson.JsonSyntaxException e) {
                if (e.tooDeep()) {
                    throw EnvironmentException.inFile(
                            file,
                            name,
                            "the value is JSON "
                                    + e.getMessage()
                                            .replaceFirst(" at position \\d+$", "")
                                            .replace("Nested", "nested")
                                    + " (the Python toolkit fails with a RecursionError); flatten the value");
                }
                log.debug(
                        "Failed to parse hyperparameter {} value {} to Json.\nReturning the value itself",
                        name,
                        EnvironmentLog.shorten(text, EnvironmentLog.MAX_SHOWN_CHARS));
                return text;
            }
        }
        return value;
    }
}
