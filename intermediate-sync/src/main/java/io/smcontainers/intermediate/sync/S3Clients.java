package io.smcontainers.intermediate.sync;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;
import software.amazon.awssdk.services.s3.multipart.MultipartConfiguration;

/**
 * The S3 client the sync uses: the SDK's Java (Netty) async client with its multipart support, 8 MiB threshold and
 * parts as boto3 uses, path-style addressing when an endpoint is set, region with cross-region access. Its Netty
 * threads (a group of its own) are started by the sync's lowered threads and inherit their priority
 * ({@link BackgroundPriority}); the SDK's own thread factory is kept (one of ours cost 18-21 % of the large-file rate).
 */
final class S3Clients {
    static final long PART_SIZE = 8L * 1024 * 1024;

    private S3Clients() {}

    static S3AsyncClient create(SyncSettings s) {
        Map<String, String> env = s.clientEnvironment();
        S3AsyncClientBuilder b = S3AsyncClient.builder()
                .region(Region.of(s.region()))
                .credentialsProvider(credentials(env))
                .crossRegionAccessEnabled(true)
                .multipartEnabled(true)
                .multipartConfiguration(MultipartConfiguration.builder()
                        .thresholdInBytes(PART_SIZE)
                        .minimumPartSizeInBytes(PART_SIZE)
                        .apiCallBufferSizeInBytes(4 * PART_SIZE)
                        .build())
                .httpClientBuilder(NettyNioAsyncHttpClient.builder()
                        .maxConcurrency(Math.max(32, 4 * s.maxConcurrentUploads()))
                        // a group of its own (not the SDK's shared one), started lazily from the sync's lowered threads
                        .eventLoopGroupBuilder(SdkEventLoopGroup.builder())
                        .maxPendingConnectionAcquires(100_000)
                        .connectionAcquisitionTimeout(Duration.ofMinutes(10)))
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                                .maxAttempts(3)
                                .circuitBreakerEnabled(false)
                                .build())
                        .apiCallAttemptTimeout(s.attemptTimeout()));
        if (s.endpoint() != null) {
            b.endpointOverride(s.endpoint()).forcePathStyle(true);
        }
        String request = env.get("AWS_REQUEST_CHECKSUM_CALCULATION");
        if (request != null) {
            b.requestChecksumCalculation(RequestChecksumCalculation.valueOf(request.toUpperCase(Locale.ROOT)));
        }
        String response = env.get("AWS_RESPONSE_CHECKSUM_VALIDATION");
        if (response != null) {
            b.responseChecksumValidation(ResponseChecksumValidation.valueOf(response.toUpperCase(Locale.ROOT)));
        }
        return b.build();
    }

    private static AwsCredentialsProvider credentials(Map<String, String> env) {
        String id = env.get("AWS_ACCESS_KEY_ID");
        String secret = env.get("AWS_SECRET_ACCESS_KEY");
        if (id == null || secret == null) {
            return DefaultCredentialsProvider.builder().build();
        }
        String token = env.get("AWS_SESSION_TOKEN");
        return StaticCredentialsProvider.create(
                token == null
                        ? AwsBasicCredentials.create(id, secret)
                        : AwsSessionCredentials.create(id, secret, token));
    }
}
