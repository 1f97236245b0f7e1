package io.smcontainers.framework.spi;

import static java.util.Objects.requireNonNull;

/**
 * The body of {@code GET /execution-parameters}:
 * {@code {"MaxConcurrentTransforms": 8, "BatchStrategy": "MULTI_RECORD", "MaxPayloadInMB": 6}}.
 *
 * @param maxConcurrentTransforms parallel requests the container wants, at least 1
 * @param batchStrategy {@code MULTI_RECORD} or {@code SINGLE_RECORD} (the platform's upper-snake spelling)
 * @param maxPayloadInMb the largest mini-batch, 1..100
 */
public record ExecutionParameters(int maxConcurrentTransforms, String batchStrategy, int maxPayloadInMb) {
    public ExecutionParameters {
        requireNonNull(batchStrategy, "batchStrategy is null");
        if (maxConcurrentTransforms < 1) {
            throw new IllegalArgumentException("maxConcurrentTransforms must be >= 1, got " + maxConcurrentTransforms);
        }
        if (!batchStrategy.equals("MULTI_RECORD") && !batchStrategy.equals("SINGLE_RECORD")) {
            throw new IllegalArgumentException(
                    "batchStrategy must be MULTI_RECORD or SINGLE_RECORD, got '" + batchStrategy + "'");
        }
        if (maxPayloadInMb < 1 || maxPayloadInMb > 100) {
            throw new IllegalArgumentException("maxPayloadInMb must be in 1..100, got " + maxPayloadInMb);
        }
    }

    /** The built-in answer: the worker count, {@code MULTI_RECORD}, {@code SAGEMAKER_MAX_PAYLOAD_IN_MB} or 6. */
    public static ExecutionParameters defaults(ServingContext context) {
        return new ExecutionParameters(
                context.workers(),
                "MULTI_RECORD",
                Math.max(1, Math.min(100, context.maxPayloadInMb().orElse(6))));
    }
}
