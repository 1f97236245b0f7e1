package io.smcontainers.env.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/** Command-line arguments from user hyperparameters (training contract §6). */
final class CommandLine {
    private CommandLine() {}

    static List<String> toCmdArgs(Map<String, Object> hyperparameters) {
        List<String> keys = new ArrayList<>(hyperparameters.keySet());
        keys.sort(CodePointOrder.INSTANCE);
        List<String> args = new ArrayList<>(keys.size() * 2);
        for (String key : keys) {
            args.add(optionName(key));
            args.add(PyValues.argument(hyperparameters.get(key)));
        }
        return Collections.unmodifiableList(args);
    }

    /** Empty key stays empty, one character (one UTF-16 unit... or one code point) gets {@code -}, longer gets {@code --}. */
    static String optionName(String key) {
        if (key.isEmpty()) {
            return "";
        }
        return (key.codePointCount(0, key.length()) == 1 ? "-" : "--") + key;
    }
}
