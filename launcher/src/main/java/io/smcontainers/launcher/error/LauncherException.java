package io.smcontainers.launcher.error;

import static java.util.Objects.requireNonNull;

/**
 * A failure of the {@code train} program with what the launcher needs to report it: a category, the exit code of
 * the program and a message that says what went wrong and what to do, written verbatim to {@code output/failure}.
 */
public final class LauncherException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Whose fault it is. The failure file holds the message in every case; a {@code PLATFORM} failure is also logged
     * with its stack trace.
     */
    public enum Category {
        /** the user's code, data or configuration */
        USER,
        /** an outside service: S3, DNS, the network */
        EXTERNAL,
        /** memory, disk */
        RESOURCES,
        /** the toolkit or the framework container */
        PLATFORM
    }

    private final Category category;
    private final int exitCode;

    public LauncherException(Category category, int exitCode, String message) {
        this(category, exitCode, message, null);
    }

    public LauncherException(Category category, int exitCode, String message, Throwable cause) {
        super(requireNonNull(message, "message is null"), cause);
        this.category = requireNonNull(category, "category is null");
        if (exitCode < 1 || exitCode > 255) {
            throw new IllegalArgumentException("exitCode must be 1..255, got " + exitCode);
        }
        this.exitCode = exitCode;
    }

    public Category category() {
        return category;
    }

    public int exitCode() {
        return exitCode;
    }
}
