package io.smcontainers.launcher.process;

import static java.util.Objects.requireNonNull;

import io.smcontainers.env.core.EnvironmentLog;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One process to run: its argv (never re-parsed by a shell), working directory and complete environment.
 *
 * @param argv program and arguments
 * @param workingDir the directory it runs in
 * @param environment its whole environment, in the order it is logged
 */
public record Command(List<String> argv, Path workingDir, Map<String, String> environment) {
    public Command {
        argv = List.copyOf(requireNonNull(argv, "argv is null"));
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("argv is empty");
        }
        requireNonNull(workingDir, "workingDir is null");
        environment =
                Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(environment, "environment is null")));
    }

    /** The argv joined by single spaces, as the reference prints and reports it; very long arguments cut for people. */
    public String display() {
        StringBuilder line = new StringBuilder();
        for (String argument : argv) {
            line.append(line.length() > 0 ? " " : "")
                    .append(EnvironmentLog.shorten(argument, EnvironmentLog.MAX_SHOWN_CHARS));
        }
        return line.toString();
    }
}
