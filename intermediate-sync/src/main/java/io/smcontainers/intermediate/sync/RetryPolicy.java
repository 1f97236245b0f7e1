package io.smcontainers.intermediate.sync;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkServiceException;

/**
 * Which upload failures are worth another attempt, how long to wait before it, and how a failure reads in the report.
 * Retried: 5xx, 429, 408, throttling, what the SDK marks retryable, multipart mix-ups, client-side (connection) errors
 * and read errors; not retried: other 4xx (403, missing bucket) and a file we may not read. Back-off: 0.2 s doubling to
 * 5 s, jittered between half and all of that.
 *
 * @param maxAttempts attempts per file version, the first included
 */
record RetryPolicy(int maxAttempts) {
    private static final long BACKOFF_BASE_MILLIS = 200;
    private static final long BACKOFF_MAX_MILLIS = 5_000;

    RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
        }
    }

    /** True when a version that has failed {@code failedAttempts} times (this failure included) gets another try. */
    boolean retries(Throwable cause, int failedAttempts) {
        return retryable(cause) && failedAttempts < maxAttempts;
    }

    /** The wait before the next attempt after {@code failedAttempts} failures (at least 1). */
    long backoffMillis(int failedAttempts) {
        long ceiling =
                Math.min(BACKOFF_MAX_MILLIS, BACKOFF_BASE_MILLIS << Math.min(Math.max(failedAttempts, 1) - 1, 10));
        return ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
    }

    /** The failure under the future's and the stream's wrapping. */
    static Throwable unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException
                        || c instanceof ExecutionException
                        || c instanceof UncheckedIOException)
                && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }

    static boolean retryable(Throwable cause) {
        if (cause instanceof SdkServiceException s) {
            int status = s.statusCode();
            return status >= 500
                    || status == 429
                    || status == 408
                    || s.isThrottlingException()
                    || s.retryable()
                    || multipartMixUp(s);
        }
        if (cause instanceof AccessDeniedException) {
            return false;
        }
        return cause instanceof SdkClientException || cause instanceof IOException;
    }

    /**
     * Errors of a multipart upload that a fresh upload cures: a part that changed or went missing (the file was
     * rewritten meanwhile, or an abandoned upload of the same key was still sending parts).
     */
    private static boolean multipartMixUp(SdkServiceException s) {
        String code = errorCode(s);
        return "InvalidPart".equals(code)
                || "InvalidPartOrder".equals(code)
                || "NoSuchUpload".equals(code)
                || "BadDigest".equals(code);
    }

    private static String errorCode(SdkServiceException s) {
        if (s instanceof AwsServiceException a && a.awsErrorDetails() != null) {
            return a.awsErrorDetails().errorCode();
        }
        return null;
    }

    /** The reason as the report and the log give it. */
    static String describe(Throwable cause) {
        if (cause instanceof SdkServiceException s) {
            String code = errorCode(s);
            return "HTTP " + s.statusCode() + (code == null ? "" : " " + code) + ": " + s.getMessage();
        }
        if (cause instanceof AccessDeniedException) {
            return "cannot read the file: permission denied";
        }
        if (cause instanceof IOException) {
            return "cannot read the file: " + cause;
        }
        return String.valueOf(cause);
    }
}
