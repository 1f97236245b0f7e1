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
    /** The longest value, argument or JSON string the invocation dump shows whole; longer ones are cut. */
    public static final int MAX_SHOWN_CHARS = 1024;
    /** The most items of one list or object the dump's Training Env shows. */
    static final int MAX_SHOWN_ITEMS = 100;
    /** Structural re-masking parses the value: above this the value is cut and its secrets replaced as text. */
    private static final int MAX_REMASK_CHARS = 64 * 1024;

    private static final Pattern SECRET_KEY = Pattern.compile(
            "(?i).*(password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential|auth(?!or)).*");

    private EnvironmentLog() {}

    /** Whether a key's value should be masked in logs. */
    public static boolean isSecretKey(String key) {
        return SECRET_KEY.matcher(key).matches();
    }

    /**
     * The reference's invocation dump: the environment as indented JSON (top-level keys sorted, nested maps
     * in their order), the variables one per line in build order, and the command. It is for people and stays
     * small whatever the job holds: a string, variable or argument longer than {@value #MAX_SHOWN_CHARS} characters
     * is cut (saying how much is left out), a list or object shows its first {@value #MAX_SHOWN_ITEMS} items.
     */
    public static String describe(TrainingEnv env, Map<String, String> variables, List<String> command) {
        List<String> secrets = secretValues(env.properties(), variables);
        StringBuilder out = new StringBuilder();
        out.append("Invoking user script\n\nTraining Env:\n\n");
        out.append(PyJson.dumps(shorten(mask(env.properties())), false, 4));
        out.append("\n\nEnvironment variables:\n\n");
        Map<String, String> shown = new LinkedHashMap<>();
        java.util.Set<String> cut = new java.util.HashSet<>();
        variables.forEach((name, value) -> {
            if (value != null && value.length() > MAX_REMASK_CHARS) {
                cut.add(name);
                shown.put(name, shorten(redact(value, secrets), MAX_SHOWN_CHARS));
            } else {
                shown.put(name, value);
            }
        });
        for (Map.Entry<String, String> variable : maskVariables(shown).entrySet()) {
            String value = variable.getValue();
            out.append(variable.getKey())
                    .append('=')
                    .append(cut.contains(variable.getKey()) ? value : shorten(value, MAX_SHOWN_CHARS))
                    .append('\n');
        }
        out.append("\nInvoking script with the following command:\n\n");
        StringBuilder line = new StringBuilder();
        for (String argument : maskArguments(command)) {
            line.append(line.length() > 0 ? " " : "")
                    .append(
                            argument.length() > MAX_SHOWN_CHARS
                                    ? shorten(redact(argument, secrets), MAX_SHOWN_CHARS)
                                    : argument);
        }
        out.append(line).append("\n\n");
        // Values of secret keys can also hide inside rendered forms (a dict argument "token=..."): redact them
        // wherever they appear. Very short values are left to the structural masking above.
        return redact(out.toString(), secrets);
    }

    private static String redact(String text, List<String> secrets) {
        String result = text;
        for (String secret : secrets) {
            result = result.replace(secret, MASK);
        }
        return result;
    }

    /**
     * {@code value} itself when it has at most {@code max} characters, else its start and how much is left out:
     * {@code abc...[+1234 characters]}.
     */
    public static String shorten(String value, int max) {
        if (value == null || value.length() <= max) {
            return value;
        }
        int cut = Character.isHighSurrogate(value.charAt(max - 1)) ? max - 1 : max;
        return value.substring(0, cut) + "...[+" + (value.length() - cut) + " characters]";
    }

    /** A copy of decoded values for the dump: long strings cut, long lists and objects cut to their first items. */
    static Object shorten(Object value) {
        if (value instanceof String text) {
            return shorten(text, MAX_SHOWN_CHARS);
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                if (out.size() == MAX_SHOWN_ITEMS) {
                    out.put("...", "[+" + (map.size() - MAX_SHOWN_ITEMS) + " more keys]");
                    break;
                }
                out.put(shorten(String.valueOf(entry.getKey()), MAX_SHOWN_CHARS), shorten(entry.getValue()));
            }
            return out;
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            for (Object item : list) {
                if (out.size() == MAX_SHOWN_ITEMS) {
                    out.add("...[+" + (list.size() - MAX_SHOWN_ITEMS) + " more items]");
                    break;
                }
                out.add(shorten(item));
            }
            return out;
        }
        return value;
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
            map.forEach(
                    (key, item) -> collectSecrets(item, underSecretKey || isSecretKey(String.valueOf(key)), secrets));
        } else if (value instanceof List<?> list) {
            list.forEach(item -> collectSecrets(item, underSecretKey, secrets));
        } else if (underSecretKey && value != null) {
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
            } else if (name.equals("SM_HPS") || name.equals("SM_TRAINING_ENV") || name.equals("SM_FRAMEWORK_PARAMS")) {
                value = remask(value);
            } else if (name.equals("SM_USER_ARGS")) {
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
            return PyJson.dumps(mask(PyJson.loadsInternal(json)));
        } catch (PyJson.JsonSyntaxException e) {
            return json;
        }
    }

    @SuppressWarnings("unchecked")
    private static String remaskArguments(String json) {
        try {
            Object value = PyJson.loadsInternal(json);
            if (value instanceof List<?> list) {
                return PyJson.dumps(maskArguments((List<String>) list));
            }
            return json;
        } catch (PyJson.JsonSyntaxException | ClassCastException e) {
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
