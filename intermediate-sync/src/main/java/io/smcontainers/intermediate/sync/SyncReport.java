package io.smcontainers.intermediate.sync;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;

/**
 * What a sync did.
 *
 * @param uploads objects written to S3 (a file rewritten and uploaded three times counts three)
 * @param bytesUploaded their total size
 * @param failures files whose latest version is not in S3, with the reason; empty when nothing was lost
 * @param elapsed time from start to the end of {@link IntermediateSync#stop(Duration)}
 */
public record SyncReport(long uploads, long bytesUploaded, List<FailedFile> failures, Duration elapsed) {

    /** A file that could not be uploaded. */
    public record FailedFile(String relativePath, String key, String reason) {
        public FailedFile {
            requireNonNull(relativePath, "relativePath is null");
            requireNonNull(key, "key is null");
            requireNonNull(reason, "reason is null");
        }
    }

    public SyncReport {
        failures = List.copyOf(requireNonNull(failures, "failures is null"));
        requireNonNull(elapsed, "elapsed is null");
    }

    /** True when every file's latest version reached S3. */
    public boolean complete() {
        return failures.isEmpty();
    }

    /** One paragraph for the log and the failure file. */
    public String summary() {
        StringBuilder s = new StringBuilder("Intermediate output sync uploaded ")
                .append(uploads)
                .append(uploads == 1 ? " file (" : " files (")
                .append(bytesUploaded)
                .append(" bytes) in ")
                .append(elapsed.toMillis())
                .append(" ms");
        if (failures.isEmpty()) {
            return s.append("; nothing was left out.").toString();
        }
        s.append("; ")
                .append(failures.size())
                .append(failures.size() == 1 ? " file was" : " files were")
                .append(" not uploaded:");
        for (FailedFile f : failures) {
            s.append("\n  ")
                    .append(f.relativePath())
                    .append(" -> ")
                    .append(f.key())
                    .append(": ")
                    .append(f.reason());
        }
        return s.toString();
    }
}
