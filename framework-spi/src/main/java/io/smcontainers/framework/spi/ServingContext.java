package io.smcontainers.framework.spi;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** The serving environment as a handler sees it. Values are immutable. */
public interface ServingContext {
    /** The base dir, {@code /opt/ml} in a real container ({@code SAGEMAKER_BASE_DIR}). */
    Path baseDir();

    /** The single model's folder ({@code <base>/model}), or the models root ({@code <base>/models}) on a multi-model endpoint. */
    Path modelDir();

    /** The number of inference workers ({@code SAGEMAKER_MODEL_SERVER_WORKERS}). */
    int workers();

    /** The Accept used when a request has none or {@code *}{@code /*} ({@code SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT}). */
    String defaultAccept();

    /** {@code SAGEMAKER_MAX_PAYLOAD_IN_MB} when the platform set it. */
    Optional<Integer> maxPayloadInMb();

    /** Whether this is a multi-model endpoint ({@code SAGEMAKER_MULTI_MODEL=true}). */
    boolean multiModel();

    /** The user entry point ({@code SAGEMAKER_PROGRAM}), untouched. */
    Optional<String> program();

    /** Every environment variable of the serving process, sorted by name (batch settings such as {@code SAGEMAKER_BATCH} included). */
    Map<String, String> environment();
}
