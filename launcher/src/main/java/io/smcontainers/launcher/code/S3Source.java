package io.smcontainers.launcher.code;

import java.nio.file.Path;

/** Downloads one S3 object to a local file. */
public interface S3Source {
    /**
     * @throws io.smcontainers.launcher.error.LauncherException when the object cannot be fetched; the message names the URI
     *     and the endpoint
     */
    void download(String bucket, String key, Path target);
}
