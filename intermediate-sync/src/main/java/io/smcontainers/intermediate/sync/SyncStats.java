package io.smcontainers.intermediate.sync;

/**
 * A running sync's counters at one moment, from {@link IntermediateSync#stats()}: cheap to take, safe from any thread,
 * also after the stop (then the final figures).
 *
 * @param filesUploaded objects written to S3 so far (a file rewritten and uploaded three times counts three)
 * @param bytesUploaded their total size
 * @param failures files that failed for good so far (a later successful upload of a newer version removes a file)
 * @param queued files with work left: waiting for an upload slot or a writer check, being uploaded, or waiting to
 *     retry
 */
public record SyncStats(long filesUploaded, long bytesUploaded, long failures, long queued) {
    public SyncStats {
        if (filesUploaded < 0 || bytesUploaded < 0 || failures < 0 || queued < 0) {
            throw new IllegalArgumentException("counters cannot be negative: " + filesUploaded + " files, "
                    + bytesUploaded + " bytes, " + failures + " failures, " + queued + " queued");
        }
    }
}
