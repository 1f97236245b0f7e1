package io.smcontainers.env.core;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The job folder or the process environment cannot describe a training job. The message names the file
 * and the key at fault and says what to do; {@link #exitCode()} is the code the reference toolkit exits
 * with for the same fault (2 for a missing file, 1 otherwise).
 */
public final class EnvironmentException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final String key;
    private final int exitCode;

    EnvironmentException(Path file, String key, String problem, int exitCode, Throwable cause) {
        super(describe(file, key, problem), cause);
        this.file = file;
        this.key = key;
        this.exitCode = exitCode;
    }

    static EnvironmentException inFile(Path file, String key, String problem) {
        return new EnvironmentException(file, key, problem, 1, null);
    }

    static EnvironmentException inVariable(String variable, String problem) {
        return new EnvironmentException(null, variable, problem, 1, null);
    }

    private static String describe(Path file, String key, String problem) {
        StringBuilder out = new StringBuilder();
        if (file != null) {
            out.append(file);
        }
        if (key != null) {
            if (out.length() > 0) {
                out.append(": ");
            }
            out.append("key ").append(PyValues.repr(key));
        }
        if (out.length() > 0) {
            out.append(": ");
        }
        return out.append(problem).toString();
    }

    /** The file at fault, when there is one. */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    /** The key (or environment variable) at fault, when there is one. */
    public Optional<String> key() {
        return Optional.ofNullable(key);
    }

    /** The process exit code the reference uses for this fault. */
    public int exitCode() {
        return exitCode;
    }
}
