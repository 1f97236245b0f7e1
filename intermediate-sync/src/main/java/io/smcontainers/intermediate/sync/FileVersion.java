package io.smcontainers.intermediate.sync;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;

/** What identifies one written state of a file: size, modification time (ns) and inode. */
record FileVersion(long size, long modifiedNanos, Object fileKey) {

    /** Follows symbolic links (a link to a file uploads the file's content). */
    static FileVersion of(BasicFileAttributes a) {
        return new FileVersion(
                a.size(), a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS), a.fileKey());
    }

    static FileVersion read(Path p) throws IOException {
        return of(Files.readAttributes(p, BasicFileAttributes.class));
    }

    boolean sameAs(FileVersion other) {
        return other != null
                && size == other.size
                && modifiedNanos == other.modifiedNanos
                && Objects.equals(fileKey, other.fileKey);
    }
}
