package io.smcontainers.intermediate.sync;

/**
 * What a running sync has done so far ({@link IntermediateSync#stats()}), read without stopping it.
 *
 * @param filesUploaded objects written to S3 (a file rewritten and uploaded three times counts three)
 * @param bytesUploaded their total size
 * @param failures files whose latest version could not be uploaded (after the retries); a later upload of the file
 *     takes it off
 * @param queued files waiting for an upload, being uploaded or waiting for a retry
 */
public record SyncStats(long filesUploaded, long bytesUploaded, long failures, long queued) {}
