package io.smcontainers.intermediate.sync;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything the intermediate sync needs, from plain values. Build it with {@link #fromJob}, which applies the
 * toolkit's start rules; the {@code with*} methods change the tuning.
 *
 * @param intermediateDir the watched folder, {@code <base>/output/intermediate}
 * @param bucket the bucket, as written in {@code sagemaker_s3_output}
 * @param keyPrefix {@code <uri path>/<TRAINING_JOB_NAME>/output/intermediate}, joined by POSIX rules
 * @param region {@code AWS_REGION}, else {@code SAGEMAKER_REGION}, else {@code us-east-1}
 * @param endpoint {@code S3_ENDPOINT_URL}, or null for AWS; path-style addressing is used when set
 * @param clientEnvironment the AWS_* credential and checksum variables taken from the environment (masked in
 *     {@link #toString()}); without keys the SDK's default credentials chain applies
 * @param maxConcurrentUploads files uploaded at the same time
 * @param maxAttempts upload attempts per file version before it is reported as failed
 * @param attemptTimeout limit for one HTTP request (one part of a multipart upload)
 * @param stopTimeout the bound that {@link IntermediateSync#close()} uses for the final flush
 */
public record SyncSettings(
        Path intermediateDir,
        String bucket,
        String keyPrefix,
        String region,
        URI endpoint,
        Map<String, String> clientEnvironment,
        int maxConcurrentUploads,
        int maxAttempts,
        Duration attemptTimeout,
        Duration stopTimeout) {

    private static final Logger log = LoggerFactory.getLogger(SyncSettings.class);

    /** The staging folder the toolkit creates inside the intermediate folder (kept for compatibility, swept). */
    public static final String STAGING_DIR_NAME = ".tmp.sagemaker_s3_sync";

    static final String ENV_CONCURRENCY = "SMC_INTERMEDIATE_SYNC_CONCURRENCY";
    static final String ENV_MAX_ATTEMPTS = "SMC_INTERMEDIATE_SYNC_MAX_ATTEMPTS";
    static final String ENV_ATTEMPT_TIMEOUT = "SMC_INTERMEDIATE_SYNC_ATTEMPT_TIMEOUT_SECONDS";
    static final String ENV_STOP_TIMEOUT = "SMC_INTERMEDIATE_SYNC_STOP_TIMEOUT_SECONDS";

    private static final String[] CLIENT_VARIABLES = {
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_REQUEST_CHECKSUM_CALCULATION",
        "AWS_RESPONSE_CHECKSUM_VALIDATION"
    };

    public SyncSettings {
        requireNonNull(intermediateDir, "intermediateDir is null");
        requireNonNull(bucket, "bucket is null");
        requireNonNull(keyPrefix, "keyPrefix is null");
        requireNonNull(region, "region is null");
        clientEnvironment = Map.copyOf(requireNonNull(clientEnvironment, "clientEnvironment is null"));
        requireNonNull(attemptTimeout, "attemptTimeout is null");
        requireNonNull(stopTimeout, "stopTimeout is null");
        if (bucket.isEmpty()) {
            throw new IllegalArgumentException("the S3 output URI names no bucket");
        }
        if (maxConcurrentUploads < 1 || maxConcurrentUploads > 1024) {
            throw new IllegalArgumentException("maxConcurrentUploads must be 1..1024, got " + maxConcurrentUploads);
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
        }
        if (attemptTimeout.isNegative() || attemptTimeout.isZero() || stopTimeout.isNegative()) {
            throw new IllegalArgumentException(
                    "timeouts must be positive: attempt " + attemptTimeout + ", stop " + stopTimeout);
        }
    }

    /**
     * The toolkit's first start rule: the job owns (creates, then syncs) its intermediate folder when
     * {@code sagemaker_s3_output} is set and the folder does not exist yet (an existing one is synced by the platform).
     * Looks at the file system; creates nothing.
     */
    public static boolean jobOwnsFolder(String s3OutputUri, Path intermediateDir) {
        requireNonNull(intermediateDir, "intermediateDir is null");
        boolean owns = s3OutputUri != null && !s3OutputUri.isEmpty() && !Files.exists(intermediateDir);
        if (!owns) {
            log.debug(
                    "Could not initialize intermediate sync: sagemaker_s3_output is {} and {} {}",
                    s3OutputUri == null || s3OutputUri.isEmpty() ? "not set" : "set",
                    intermediateDir,
                    Files.exists(intermediateDir) ? "already exists" : "does not exist");
        }
        return owns;
    }

    /**
     * Creates the intermediate folder and its staging folder, as the toolkit does for a job that owns the folder
     * ({@link #jobOwnsFolder}) before it looks at the URI's scheme.
     *
     * @throws UncheckedIOException when a folder cannot be created (for example a missing parent), naming it
     */
    public static void createFolders(Path intermediateDir) {
        try {
            Files.createDirectory(intermediateDir);
            Files.createDirectory(intermediateDir.resolve(STAGING_DIR_NAME));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the intermediate output folder " + intermediateDir, e);
        }
    }

    /**
     * The settings of a job's sync, from plain values; touches no file system. Empty (no sync) when
     * {@code s3OutputUri} is null or empty or has the {@code file} scheme; an {@code s3} scheme (any case) is a sync,
     * any other scheme an {@link InvalidS3OutputException}. The toolkit's order: {@link #jobOwnsFolder}, then
     * {@link #createFolders}, then this.
     *
     * @param s3OutputUri the decoded hyperparameter {@code sagemaker_s3_output}, may be null
     * @param trainingJobName env {@code TRAINING_JOB_NAME}, may be null or empty
     * @param intermediateDir {@code <base>/output/intermediate}
     * @param processEnvironment the process environment: region, endpoint, credentials and the tuning variables
     * @throws IllegalArgumentException when a tuning variable is not a valid number (the message names it)
     */
    public static Optional<SyncSettings> fromJob(
            String s3OutputUri, String trainingJobName, Path intermediateDir, Map<String, String> processEnvironment) {
        requireNonNull(intermediateDir, "intermediateDir is null");
        requireNonNull(processEnvironment, "processEnvironment is null");
        if (s3OutputUri == null || s3OutputUri.isEmpty()) {
            return Optional.empty();
        }
        OutputUri uri = OutputUri.parse(s3OutputUri);
        if (uri.scheme().equals("file")) {
            log.debug("Local directory is used for output. No need to sync any intermediate output.");
            return Optional.empty();
        }
        if (!uri.scheme().equals("s3")) {
            throw new InvalidS3OutputException(
                    s3OutputUri, "Expecting 's3' scheme, got: " + uri.scheme() + " in " + uri.pythonRepr());
        }
        String path = uri.path().startsWith("/") ? uri.path().replaceFirst("^/+", "") : uri.path();
        String job = trainingJobName == null ? "" : trainingJobName;
        String prefix = OutputUri.posixJoin(path, job, "output", "intermediate");
        Map<String, String> clientEnv = new TreeMap<>();
        for (String name : CLIENT_VARIABLES) {
            String value = processEnvironment.get(name);
            if (value != null && !value.isEmpty()) {
                if (name.startsWith("AWS_RE")
                        && !value.equalsIgnoreCase("when_supported")
                        && !value.equalsIgnoreCase("when_required")) {
                    throw new IllegalArgumentException(
                            name + " must be when_supported or when_required, got '" + value + "'");
                }
                clientEnv.put(name, value);
            }
        }
        String endpoint = processEnvironment.get("S3_ENDPOINT_URL");
        return Optional.of(new SyncSettings(
                intermediateDir,
                uri.netloc(),
                prefix,
                region(processEnvironment),
                endpoint == null || endpoint.isEmpty() ? null : parseEndpoint(endpoint),
                clientEnv,
                intVariable(processEnvironment, ENV_CONCURRENCY, 16),
                intVariable(processEnvironment, ENV_MAX_ATTEMPTS, 8),
                Duration.ofSeconds(intVariable(processEnvironment, ENV_ATTEMPT_TIMEOUT, 120)),
                Duration.ofSeconds(intVariable(processEnvironment, ENV_STOP_TIMEOUT, 600))));
    }

    private static String region(Map<String, String> env) {
        for (String name : new String[] {"AWS_REGION", "SAGEMAKER_REGION"}) {
            String value = env.get(name);
            if (value != null && !value.isEmpty()) {
                return value;
            }
        }
        return "us-east-1";
    }

    private static URI parseEndpoint(String value) {
        try {
            URI uri = URI.create(value);
            if (uri.getScheme() == null || uri.getHost() == null) {
                throw new IllegalArgumentException("no scheme or host");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "S3_ENDPOINT_URL is not a URL like http://host:port: '" + value + "'", e);
        }
    }

    private static int intVariable(Map<String, String> env, String name, int defaultValue) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return defaultValue;
        }
        try {
            int parsed = Integer.parseInt(value.trim());
            if (parsed < 1) {
                throw new NumberFormatException("not positive");
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a positive whole number, got '" + value + "'", e);
        }
    }

    /** The S3 key of a file, from its path relative to the intermediate folder ("/"-separated). */
    public String keyFor(String relativePath) {
        return OutputUri.posixJoin(keyPrefix, relativePath);
    }

    public SyncSettings withMaxConcurrentUploads(int value) {
        return new SyncSettings(
                intermediateDir,
                bucket,
                keyPrefix,
                region,
                endpoint,
                clientEnvironment,
                value,
                maxAttempts,
                attemptTimeout,
                stopTimeout);
    }

    public SyncSettings withMaxAttempts(int value) {
        return new SyncSettings(
                intermediateDir,
                bucket,
                keyPrefix,
                region,
                endpoint,
                clientEnvironment,
                maxConcurrentUploads,
                value,
                attemptTimeout,
                stopTimeout);
    }

    public SyncSettings withAttemptTimeout(Duration value) {
        return new SyncSettings(
                intermediateDir,
                bucket,
                keyPrefix,
                region,
                endpoint,
                clientEnvironment,
                maxConcurrentUploads,
                maxAttempts,
                value,
                stopTimeout);
    }

    public SyncSettings withStopTimeout(Duration value) {
        return new SyncSettings(
                intermediateDir,
                bucket,
                keyPrefix,
                region,
                endpoint,
                clientEnvironment,
                maxConcurrentUploads,
                maxAttempts,
                attemptTimeout,
                value);
    }

    public SyncSettings withEndpoint(URI value) {
        return new SyncSettings(
                intermediateDir,
                bucket,
                keyPrefix,
                region,
                value,
                clientEnvironment,
                maxConcurrentUploads,
                maxAttempts,
                attemptTimeout,
                stopTimeout);
    }

    @Override
    public String toString() {
        Map<String, String> masked = new TreeMap<>(clientEnvironment);
        masked.replaceAll((k, v) -> k.equals("AWS_SECRET_ACCESS_KEY") || k.equals("AWS_SESSION_TOKEN") ? "****" : v);
        return "SyncSettings[" + intermediateDir + " -> s3://" + bucket + "/" + keyPrefix + ", region=" + region
                + ", endpoint=" + endpoint + ", client=" + masked + ", maxConcurrentUploads=" + maxConcurrentUploads
                + ", maxAttempts=" + maxAttempts + ", attemptTimeout=" + attemptTimeout + ", stopTimeout="
                + stopTimeout + "]";
    }
}
