package io.smcontainers.framework.spi;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One invocation as a handler sees it, beyond the body, content type and accept it gets as arguments. */
public interface InvocationContext {
    /** The request id: {@code X-Amzn-SageMaker-Inference-Id} when the platform sent it, else generated; echoed as {@code x-request-id}. */
    String requestId();

    /** The first value of a request header, name compared case-insensitively. */
    Optional<String> header(String name);

    /** Every request header, untouched, in arrival order (names as sent). */
    List<Map.Entry<String, String>> headers();

    /** The raw {@code X-Amzn-SageMaker-Custom-Attributes} value. */
    Optional<String> customAttributes();

    /** The custom attributes split on {@code ;} into trimmed {@code key=value} pairs, in order. */
    Map<String, String> customAttributeMap();

    /** The media types the Accept header asks for, best first, wildcards expanded and {@code q=0} removed. */
    List<String> acceptCandidates();

    /** The multi-model endpoint's model name, when the request came through {@code /models/<name>/invoke}. */
    Optional<String> modelName();

    /** The runtime's default decoders and encoders (JSON, CSV, NPY, NPZ). */
    Codecs codecs();
}
