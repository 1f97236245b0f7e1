package io.smcontainers.framework.spi;

/**
 * The user's code or configuration is at fault (it failed to install, exited non-zero, is missing).
 * The launcher writes the message verbatim to {@code output/failure} and exits with status 1.
 */
public final class UserCodeException extends Exception {
    private static final long serialVersionUID = 1L;

    public UserCodeException(String message) {
        super(message);
    }

    public UserCodeException(String message, Throwable cause) {
        super(message, cause);
    }
}
