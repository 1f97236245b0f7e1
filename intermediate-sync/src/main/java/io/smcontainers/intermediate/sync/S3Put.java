package io.smcontainers.intermediate.sync;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * One object write: the file's key under the job's prefix, no extra arguments (bucket defaults for encryption and
 * storage class). The client splits bodies above 8 MiB into a multipart upload.
 */
final class S3Put {
    private final S3AsyncClient s3;
    private final SyncSettings settings;

    S3Put(S3AsyncClient s3, SyncSettings settings) {
        this.s3 = requireNonNull(s3, "s3 is null");
        this.settings = requireNonNull(settings, "settings is null");
    }

    CompletableFuture<?> put(String relativePath, ContentReader.Content content) {
        PutObjectRequest.Builder request =
                PutObjectRequest.builder().bucket(settings.bucket()).key(settings.keyFor(relativePath));
        if (!content.streamed()) {
            request.contentLength(content.version().size());
        }
        return s3.putObject(request.build(), content.body());
    }
}
