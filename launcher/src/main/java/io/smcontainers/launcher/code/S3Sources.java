package io.smcontainers.launcher.code;

import java.util.LinkedHashMap;
import java.util.Map;

/** Factory of the SDK-backed {@link S3Source}. */
public final class S3Sources {
    private S3Sources() {}

    /** An S3 source configured from the process environment plus the toolkit variables ({@code SAGEMAKER_REGION}). */
    public static S3Source sdk(Map<String, String> processEnvironment, Map<String, String> toolkitVariables) {
        Map<String, String> all = new LinkedHashMap<>(processEnvironment);
        all.putAll(toolkitVariables);
        return new SdkS3Source(all);
    }
}
