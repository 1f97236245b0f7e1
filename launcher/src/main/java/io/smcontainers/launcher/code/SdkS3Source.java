package io.smcontainers.launcher.code;

import io.smcontainers.launcher.error.LauncherException;
import io.smcontainers.launcher.error.LauncherException.Category;
import io.smcontainers.launcher.logging.TransferProgress;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * {@link S3Source} on the AWS SDK for Java v2, configured from the job's environment as the reference does: region
 * {@code AWS_REGION}, else {@code SAGEMAKER_REGION} (hyperparameter {@code sagemaker_region}), else
 * {@code AWS_DEFAULT_REGION}, else {@code us-east-1} with cross-region access; endpoint {@code S3_ENDPOINT_URL}
 * with path-style addressing (as boto3 does for a custom endpoint); credentials from {@code AWS_ACCESS_KEY_ID} /
 * {@code AWS_SECRET_ACCESS_KEY} / {@code AWS_SESSION_TOKEN} when set, else the SDK's default chain (container role).
 * The client is built on first use only: jobs with local code never load the SDK.
 */
final class SdkS3Source implements S3Source {
    private static final Logger log = LoggerFactory.getLogger(SdkS3Source.class);

    private final Map<String, String> environment;

    SdkS3Source(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    @Override
    public void download(String bucket, String key, Path target) {
        Optional<String> endpoint = value("S3_ENDPOINT_URL");
        String where = "s3://" + bucket + "/" + key
                + endpoint.map(e -> " (endpoint " + e + ")").orElse("");
        log.info("Downloading {}", where);
        try (S3Client s3 = client(endpoint);
                OutputStream file = Files.newOutputStream(target)) {
            s3.getObject(GetObjectRequest.builder().bucket(bucket).key(key).build(), (response, in) -> {
                OptionalLong size = response.contentLength() == null
                        ? OptionalLong.empty()
                        : OptionalLong.of(response.contentLength());
                try (TransferProgress out = TransferProgress.of(
                        file,
                        where,
                        size,
                        TransferProgress.interval(environment.get("SMC_PROGRESS_INTERVAL_SECONDS")))) {
                    in.transferTo(out);
                }
                return null;
            });
        } catch (IOException | UncheckedIOException e) {
            throw new LauncherException(
                    Category.PLATFORM, 1, "Cannot write the download of " + where + " to " + target + ": " + e, e);
        } catch (S3Exception e) {
            int status = e.statusCode();
            String code = e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode();
            Category category = status == 404 || status == 403 ? Category.USER : Category.EXTERNAL;
            throw new LauncherException(
                    category,
                    1,
                    "Cannot download the user code from " + where + ": HTTP " + status + " " + code
                            + (status == 404
                                    ? ". Check sagemaker_submit_directory: the bucket or key does not exist"
                                    : ""),
                    e);
        } catch (SdkException e) {
            throw new LauncherException(
                    Category.EXTERNAL,
                    1,
                    "Cannot download the user code from " + where + ": " + e.getMessage()
                            + ". Check that the S3 endpoint is reachable (S3_ENDPOINT_URL, network, region)",
                    e);
        }
    }

    private S3Client client(Optional<String> endpoint) {
        var builder = S3Client.builder()
                .httpClient(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(10))
                        .socketTimeout(Duration.ofSeconds(60))
                        .build())
                .region(Region.of(region()))
                .crossRegionAccessEnabled(true)
                .credentialsProvider(credentials());
        endpoint.ifPresent(e -> builder.endpointOverride(URI.create(e)).forcePathStyle(true));
        return builder.build();
    }

    private String region() {
        return value("AWS_REGION")
                .or(() -> value("SAGEMAKER_REGION"))
                .or(() -> value("AWS_DEFAULT_REGION"))
                .orElse("us-east-1");
    }

    private AwsCredentialsProvider credentials() {
        Optional<String> id = value("AWS_ACCESS_KEY_ID");
        Optional<String> secret = value("AWS_SECRET_ACCESS_KEY");
        if (id.isPresent() && secret.isPresent()) {
            Optional<String> token = value("AWS_SESSION_TOKEN");
            return StaticCredentialsProvider.create(
                    token.isPresent()
                            ? AwsSessionCredentials.create(id.get(), secret.get(), token.get())
                            : AwsBasicCredentials.create(id.get(), secret.get()));
        }
        return DefaultCredentialsProvider.builder().build();
    }

    private Optional<String> value(String name) {
        return Optional.ofNullable(environment.get(name)).filter(v -> !v.isEmpty());
    }
}
