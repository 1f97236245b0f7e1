package io.smcontainers.intermediate.sync;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import software.amazon.awssdk.core.async.AsyncRequestBody;

/**
 * Reads a file for its upload, directly (no staging copy): first its version, then its content. Files up to
 * {@link #IN_MEMORY_LIMIT} are read into memory and checked against the version afterwards (a file that changed while
 * it was read is not uploaded); larger ones are streamed, and checked after their upload ({@link #unchanged}).
 */
final class ContentReader {
    static final int IN_MEMORY_LIMIT = 1024 * 1024;

    /** What a look at a file found. */
    sealed interface Read permits Gone, NotRegular, Unreadable, ChangedWhileRead, Found, Content {}

    /** Deleted (or renamed away) before it was read: nothing to upload. */
    record Gone() implements Read {}

    /** A directory, FIFO or other special file: never uploaded. */
    record NotRegular() implements Read {}

    /** The file system refused: reported (and retried by the {@link RetryPolicy} when worth it). */
    record Unreadable(IOException cause) implements Read {}

    /** Its size or time changed while it was read: its next close (or the final pass) uploads it. */
    record ChangedWhileRead() implements Read {}

    /** The version now on disk. */
    record Found(FileVersion version) implements Read {}

    /** What to send: the bytes (small files) or a stream of the file. */
    record Content(FileVersion version, AsyncRequestBody body, boolean streamed) implements Read {}

    private ContentReader() {}

    /** The version on disk, following links: {@link Found}, {@link Gone}, {@link NotRegular} or {@link Unreadable}. */
    static Read inspect(Path file) {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException gone) {
            return new Gone();
        } catch (IOException e) {
            return new Unreadable(e);
        }
        if (!attributes.isRegularFile()) {
            return new NotRegular();
        }
        return new Found(FileVersion.of(attributes));
    }

    /**
     * The content of {@code version}: {@link Content}, or {@link Gone}, {@link Unreadable}, {@link ChangedWhileRead}
     * for a small file.
     */
    static Read read(Path file, FileVersion version) {
        if (version.size() > IN_MEMORY_LIMIT) {
            return new Content(version, AsyncRequestBody.fromFile(file), true);
        }
        byte[] content;
        try {
            content = Files.readAllBytes(file);
            if (content.length != version.size() || !FileVersion.read(file).sameAs(version)) {
                return new ChangedWhileRead();
            }
        } catch (NoSuchFileException gone) {
            return new Gone();
        } catch (IOException e) {
            return new Unreadable(e);
        }
        return new Content(version, AsyncRequestBody.fromBytes(content), false);
    }

    /** After a streamed upload: true when the file still has {@code version} (or is gone: what was sent was whole). */
    static boolean unchanged(Path file, FileVersion version) {
        try {
            return FileVersion.read(file).sameAs(version);
        } catch (IOException gone) {
            return true;
        }
    }
}
