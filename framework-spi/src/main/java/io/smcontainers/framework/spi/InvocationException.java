package io.smcontainers.framework.spi;

import static java.util.Objects.requireNonNull;

/**
 * Ends an invocation with a chosen HTTP status; the error body carries {@link #type()} and the message.
 * The equivalent of the inference toolkit's {@code BaseInferenceToolkitError}.
 */
public final class InvocationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The error type the reference toolkits report for unsupported media types; clients match on it. */
    public static final String UNSUPPORTED_FORMAT = "UnsupportedFormatError";

    private final int status;
    private final String type;

    public InvocationException(int status, String type, String message, Throwable cause) {
        super(requireNonNull(message, "message is null"), cause);
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("status must be a 4xx or 5xx HTTP status, got " + status);
        }
        this.status = status;
        this.type = requireNonNull(type, "type is null");
    }

    public InvocationException(int status, String message) {
        this(status, "InvocationException", message, null);
    }

    /** 415: the content type has no decoder (the reference's exact {@code UnsupportedFormatError} text). */
    public static InvocationException unsupportedContentType(String contentType) {
        return new InvocationException(415, UNSUPPORTED_FORMAT, formatMessage(contentType), null);
    }

    /** 406: no Accept candidate has an encoder. */
    public static InvocationException unsupportedAccept(String accept) {
        return new InvocationException(406, UNSUPPORTED_FORMAT, formatMessage(accept), null);
    }

    /** 400: the body does not parse as its content type says. */
    public static InvocationException badRequest(String message, Throwable cause) {
        return new InvocationException(400, "BadRequestError", message, cause);
    }

    private static String formatMessage(String value) {
        return "Content type " + value + " is not supported by this framework.\n\n"
                + "            Please implement input_fn to to deserialize the request data or an output_fn to\n"
                + "            serialize the response. For more information, see the SageMaker Python SDK README.";
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }
}
