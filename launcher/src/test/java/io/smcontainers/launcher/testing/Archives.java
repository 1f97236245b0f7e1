package io.smcontainers.launcher.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** Hand-made tar(.gz) archives for code-fetch tests, and the check that a refused one left nothing behind. */
public final class Archives {
    private Archives() {}

    public static TarArchiveOutputStream tarGz(Path archive) throws IOException {
        return new TarArchiveOutputStream(new GZIPOutputStream(Files.newOutputStream(archive)));
    }

    public static void file(TarArchiveOutputStream tar, String name, String content) throws IOException {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry entry = new TarArchiveEntry(name, true);
        entry.setSize(bytes.length);
        entry.setMode(0100644);
        tar.putArchiveEntry(entry);
        tar.write(bytes);
        tar.closeArchiveEntry();
    }

    public static void directory(TarArchiveOutputStream tar, String name) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name, true);
        entry.setMode(040755);
        tar.putArchiveEntry(entry);
        tar.closeArchiveEntry();
    }

    /** A symbolic ({@code TarConstants.LF_SYMLINK}) or hard ({@code LF_LINK}) link entry. */
    public static void link(TarArchiveOutputStream tar, String name, String target, byte type) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name, type, true);
        entry.setLinkName(target);
        tar.putArchiveEntry(entry);
        tar.closeArchiveEntry();
    }

    /** No staging folder next to the code dir and nothing in the code dir. */
    public static void assertNothingExtracted(JobFolder job) throws IOException {
        try (var entries = Files.list(job.base())) {
            assertTrue(
                    entries.noneMatch(p -> p.getFileName().toString().startsWith(".code.extract-")),
                    "staging dir left behind");
        }
        Path code = job.base().resolve("code");
        if (Files.exists(code)) {
            try (var entries = Files.list(code)) {
                assertEquals(0, entries.count(), "half-extracted code left in " + code);
            }
        }
    }
}
