package io.smcontainers.intermediate.sync;

/**
 * {@code sagemaker_s3_output} names a scheme other than {@code s3} or {@code file}. The message is the toolkit's own:
 * {@code Expecting 's3' scheme, got: <scheme> in <parsed url>}; the trainer reports it as a framework failure.
 */
public final class InvalidS3OutputException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String uri;

    InvalidS3OutputException(String uri, String message) {
        super(message);
        this.uri = uri;
    }

    /** The value of {@code sagemaker_s3_output} at fault. */
    public String uri() {
        return uri;
    }
}
