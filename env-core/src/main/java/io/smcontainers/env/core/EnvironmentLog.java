package io.smcontainers.env.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The start-of-job description of the environment (training contract §11's "Invoking user script" block),
 * with the values of secret-looking keys masked: a hyperparameter named like a password, token, secret,
 * API or access key or credential never reaches the log in clear, at the top level or nested in
 * {@code SM_HPS} / {@code SM_TRAINING_ENV}. The user process still gets the real values.
 */
public final class EnvironmentLog {
    static final String MASK = "********";
    private static final Pattern SECRET_KEY = Pattern.compile(
            "(?i).*(password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential|auth(?!or)).*");

    private EnvironmentLog() {}

    /** Whether a key's value should be masked in logs. */
    public static boolean isSecretKey(String key) {
        return SECRET_KEY.matcher(key).matches();
    }

    /**
     * The reference's invocation dump: the environment as indented JSON (top-level keys sorted, nested maps
     * in their order), the variables one per line in build order, and the command.
     */
    public static String describe(TrainingEnv env, Map<String, String> variables, List<String> command) {
        StringBuilder out = new StringBuilder();
        out.append("Invoking user script\n\nTraining Env:\n\n");
        out.append(PyJson.dumps(mask(env.properties()), false, 4));
        out.append("\n\nEnvironment variables:\n\n");
        for (Map.Entry<String, String> variable : maskVariables(variables).entrySet()) {
            out.append(variable.getKey()).append('=').append(variable.getValue()).append('\n');
        }
        out.append("\nInvoking script with the following command:\n\n");
        out.append(String.join(" ", maskArguments(command))).append("\n\n");
        String text = out.toString();
        // Values of secret keys can also hide inside rendered forms (a dict argument "token=..."): redact them
        // wherever they appear. Very short values are left to the structural masking above.
        for (String secret : secretValues(env.properties(), variables)) {
            text = text.replace(secret, MASK);
        }
        return text;
    }

    private static List<String> secretValues(Map<String, Object> properties, Map<String, String> variables) {
        List<String> secrets = new ArrayList<>();
        collectSecrets(properties.get("hyperparameters"), false, secrets);
        collectSecrets(properties.get("additional_framework_parameters"), false, secrets);
        variables.forEach((name, value) -> {
            if (isSecretVariable(name) && value.length() >= 4) {
                secrets.add(value);
            }
        });
        secrets.sort((a, b) -> Integer.compare(b.length(), a.length()));
        return secrets;
    }

    private static void collectSecrets(Object value, boolean underSecretKey, List<String> secrets) {
        if (value instanceof Map<?, ?> map) {
            map.forEach((key, item) -> collectSecrets(item, underSecretKey || isSecretKey(String.valueOf(key)), secrets));
        }
        else if (value instanceof List<?> list) {
            list.forEach(item -> collectSecrets(item, underSecretKey, secrets));
        }
        else if (underSecretKey && value != null) {
            String text = PyValues.str(value);
            if (text.length() >= 4) {
                secrets.add(text);
            }
        }
    }

    /** The variables with secret values masked, in the same order. */
    public static Map<String, String> maskVariables(Map<String, String> variables) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> variable : variables.entrySet()) {
            String name = variable.getKey();
            String value = variable.getValue();
            if (name.startsWith("SM_HP_") ? isSecretKey(name.substring(6)) : isSecretVariable(name)) {
                value = MASK;
            }
            else if (name.equals("SM_HPS") || name.equals("SM_TRAINING_ENV") || name.equals("SM_FRAMEWORK_PARAMS")) {
                value = remask(value);
            }
            else if (name.equals("SM_USER_ARGS")) {
                value = remaskArguments(value);
            }
            out.put(name, value);
        }
        return Collections.unmodifiableMap(out);
    }

    private static boolean isSecretVariable(String name) {
        return !name.startsWith("SM_") && isSecretKey(name);
    }

    /** A command line with the value after a secret-looking option masked. */
    public static List<String> maskArguments(List<String> arguments) {
        List<String> out = new ArrayList<>(arguments);
        for (int i = 0; i + 1 < out.size(); i++) {
            String option = out.get(i);
            if (option.startsWith("-") && isSecretKey(option.replaceFirst("^-+", ""))) {
                out.set(i + 1, MASK);
                i++;
            }
        }
        return out;
    }

    private static String remask(String json) {
        try {
            return PyJson.dumps(mask(PyJson.loads(json)));
        }
        catch (PyJson.JsonSyntaxException e) {
            return json;
        }
    }

    @SuppressWarnings("unchecked")
    private static String remaskArguments(String json) {
        try {
            Object value = PyJson.loads(json);
            if (value instanceof List<?> list) {
                return PyJson.dumps(maskArguments((List<String>) list));
            }
            return json;
        }
        catch (PyJson.JsonSyntaxException | ClassCastException e) {
            return json;
        }
    }

    static Object mask(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                String key = String.valueOf(entry.getKey());
                out.put(key, isSecretKey(key) && entry.getValue() != null ? MASK : mask(entry.getValue()));
            }
            return out;
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            list.forEach(item -> out.add(mask(item)));
            return out;
        }
        return value;
    }
}
