package io.smcontainers.env.core;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The {@code SM_*} variable set (training contract §5): build order, key upper-casing, value formatting. */
final class EnvVars {
    private EnvVars() {}

    /** A top-level string as itself, None as empty, anything else as Python-compatible JSON. */
    static String format(Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof String text) {
            return text;
        }
        return PyJson.dumps(value);
    }

    /** {@code "SM_" + key.upper()}; an empty key stays empty. */
    static String name(String key) {
        if (key.isEmpty()) {
            return "";
        }
        return "SM_" + key.toUpperCase(Locale.ROOT);
    }

    /**
     * The variables in the reference's build order, from the properties and the views they are built from: the
     * channel directories, the command-line arguments and the user hyperparameters.
     */
    static Map<String, String> build(
            JobPaths paths,
            Map<String, Object> p,
            Map<String, String> channelDirs,
            List<String> cmdArgs,
            Map<String, Object> hyperparameters) {
        List<Source> pairs = new ArrayList<>();
        Path resource = paths.resourceConfigFile();
        Path inputData = paths.inputDataConfigFile();
        Path hyperparameterFile = paths.hyperparametersFile();
        add(pairs, "hosts", p, resource);
        add(pairs, "network_interface_name", p, resource);
        pairs.add(new Source("hps", p.get("hyperparameters"), hyperparameterFile, null));
        add(pairs, "user_entry_point", p, hyperparameterFile);
        pairs.add(new Source("framework_params", p.get("additional_framework_parameters"), hyperparameterFile, null));
        add(pairs, "resource_config", p, resource);
        add(pairs, "input_data_config", p, inputData);
        add(pairs, "output_data_dir", p, null);
        pairs.add(new Source("channels", sortedChannels(channelDirs), inputData, null));
        add(pairs, "current_host", p, resource);
        add(pairs, "current_instance_type", p, resource);
        add(pairs, "current_instance_group", p, resource);
        add(pairs, "current_instance_group_hosts", p, resource);
        add(pairs, "instance_groups", p, resource);
        add(pairs, "instance_groups_dict", p, resource);
        add(pairs, "distribution_instance_groups", p, hyperparameterFile);
        add(pairs, "is_hetero", p, resource);
        add(pairs, "module_name", p, hyperparameterFile);
        add(pairs, "log_level", p, hyperparameterFile);
        add(pairs, "framework_module", p, null);
        add(pairs, "input_dir", p, null);
        add(pairs, "input_config_dir", p, null);
        add(pairs, "output_dir", p, null);
        add(pairs, "num_cpus", p, null);
        add(pairs, "num_gpus", p, null);
        add(pairs, "num_neurons", p, null);
        add(pairs, "model_dir", p, null);
        add(pairs, "module_dir", p, hyperparameterFile);
        pairs.add(new Source("training_env", p, null, null));
        pairs.add(new Source("user_args", cmdArgs, hyperparameterFile, null));
        add(pairs, "output_intermediate_dir", p, null);
        Object topology = p.get("topology");
        if (PyValues.truthy(topology)) {
            pairs.add(new Source("topology", topology, resource, "topology"));
        }
        for (Map.Entry<String, String> channel : channelDirs.entrySet()) {
            pairs.add(new Source("channel_" + channel.getKey(), channel.getValue(), inputData, channel.getKey()));
        }
        for (Map.Entry<String, Object> hyperparameter : hyperparameters.entrySet()) {
            pairs.add(new Source(
                    "hp_" + hyperparameter.getKey(),
                    hyperparameter.getValue(),
                    hyperparameterFile,
                    hyperparameter.getKey()));
        }

        Map<String, String> result = new LinkedHashMap<>();
        for (Source pair : pairs) {
            String name = name(pair.key());
            String value = format(pair.value());
            checkExportable(pair, name, value);
            result.put(name, value);
        }
        return Collections.unmodifiableMap(result);
    }

    private static List<Object> sortedChannels(Map<String, String> channelDirs) {
        List<String> names = new ArrayList<>(channelDirs.keySet());
        names.sort(CodePointOrder.INSTANCE);
        return Collections.unmodifiableList(new ArrayList<>(names));
    }

    private static void add(List<Source> pairs, String property, Map<String, Object> p, Path file) {
        pairs.add(new Source(property, p.get(property), file, null));
    }

    /**
     * An environment variable cannot hold a NUL, a name cannot hold {@code =}, and neither can hold an
     * unpaired surrogate (not encodable as UTF-8). The reference crashes while exporting; we refuse up
     * front, naming the file and key, so nothing half-exported reaches the user process.
     */
    private static void checkExportable(Source pair, String name, String value) {
        String problem = null;
        if (name.indexOf('=') >= 0) {
            problem = "its variable name " + name + " contains '='";
        } else if (name.indexOf('\0') >= 0) {
            problem = "its variable name contains a NUL character";
        } else if (value.indexOf('\0') >= 0) {
            problem = "its value contains a NUL character";
        } else if (hasLoneSurrogate(name) || hasLoneSurrogate(value)) {
            problem = "it contains an unpaired UTF-16 surrogate (\\ud800-\\udfff), which is not valid Unicode text";
        }
        if (problem == null) {
            return;
        }
        String what = problem + ", which no process environment can carry; rename or re-encode it";
        if (pair.file() != null) {
            throw EnvironmentException.inFile(pair.file(), pair.fileKey() != null ? pair.fileKey() : pair.key(), what);
        }
        throw EnvironmentException.inVariable(name, what);
    }

    static boolean hasLoneSurrogate(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return true;
            }
            if (Character.isLowSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    /** One (key, value) pair of the build list, with the file and key to blame if it cannot be exported. */
    private record Source(String key, Object value, Path file, String fileKey) {}
}
