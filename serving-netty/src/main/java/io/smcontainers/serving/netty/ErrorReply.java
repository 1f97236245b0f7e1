package io.smcontainers.serving.netty;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * What an error answer says (serving contract 3.9.3): the status, the error type and message of the JSON body, the
 * cause whose stack trace goes into {@code stack-trace} (when enabled), whether the connection closes after it, and the
 * {@code Allow} header of a 405.
 *
 * @param status the HTTP status
 * @param type the error type ({@code type} and {@code error} in the body)
 * @param message the message ({@code message} and {@code error-message})
 * @param cause the exception whose stack trace the body carries
 * @param close whether the connection closes once the answer is written
 * @param allow the {@code Allow} header value
 */
record ErrorReply(
        int status,
        String type,
        String message,
        Optional<Throwable> cause,
        boolean close,
        Optional<String> allow,
        Optional<String> reason,
        Optional<String> trace) {
    ErrorReply {
        requireNonNull(type, "type is null");
        requireNonNull(message, "message is null");
        requireNonNull(cause, "cause is null");
        requireNonNull(allow, "allow is null");
        requireNonNull(reason, "reason is null");
        requireNonNull(trace, "trace is null");
    }

    /** The server is draining (shutdown): 503, the connection closed after it. */
    static final ErrorReply DRAINING =
            of(503, "ServerDraining", "The server is shutting down").closing();

    /** An error that keeps the connection; a null message becomes the type. */
    static ErrorReply of(int status, String type, String message) {
        return new ErrorReply(
                status,
                type,
                message == null ? type : message,
                Optional.empty(),
                false,
                Optional.empty(),
                Optional.empty(),
                Optional.empty());
    }

    ErrorReply because(Throwable error) {
        return new ErrorReply(status, type, message, Optional.of(error), close, allow, reason, trace);
    }

    ErrorReply closing() {
        return new ErrorReply(status, type, message, cause, true, allow, reason, trace);
    }

    ErrorReply allowing(String methods) {
        return new ErrorReply(status, type, message, cause, close, Optional.of(methods), reason, trace);
    }

    /** A reason phrase for the status line (the standard one when absent or empty). */
    ErrorReply withReason(String phrase) {
        return new ErrorReply(
                status,
                type,
                message,
                cause,
                close,
                allow,
                phrase == null || phrase.isEmpty() ? Optional.empty() : Optional.of(phrase),
                trace);
    }

    /** A stack trace given as text (a Python traceback) instead of a Java cause. */
    ErrorReply withTrace(String text) {
        return new ErrorReply(
                status,
                type,
                message,
                cause,
                close,
                allow,
                reason,
                text == null || text.isEmpty() ? Optional.empty() : Optional.of(text));
    }
}
