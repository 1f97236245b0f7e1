package io.smcontainers.env.core;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/** The environment variables of the toolkit process, as the launcher read them once at start-up. */
public record ProcessEnvironment(Map<String, String> variables) {
    public ProcessEnvironment {
        variables = Collections.unmodifiableMap(new TreeMap<>(variables));
    }
}
