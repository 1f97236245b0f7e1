package io.smcontainers.launcher.code;

import io.smcontainers.launcher.error.LauncherException;
import io.smcontainers.launcher.error.LauncherException.Category;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Extracts a tar archive, gzip-compressed or plain, into an empty directory without letting any entry escape it.
 *
 * <p>Refused, with an error naming the archive and the entry: absolute names, names that leave the directory through
 * {@code ..}, symbolic links whose target is absolute or resolves outside, hard links to anything outside or not yet
 * extracted, and files written through a link that leads outside. Everything is extracted into a staging directory
 * next to the target first and moved into place at the end; on any error the staging directory is deleted, so
 * nothing half-extracted is left behind. Modes (executable bits) and modification times are kept. Device files and
 * FIFOs are skipped.
 */
final class SafeTarExtractor {
    private static final Logger log = LoggerFactory.getLogger(SafeTarExtractor.class);

    private SafeTarExtractor() {}

    /** Whether the file starts like a gzip stream or a tar archive. */
    static boolean looksLikeTar(Path file) throws IOException {
        byte[] head = new byte[512];
        int read;
        try (InputStream in = Files.newInputStream(file)) {
            read = in.readNBytes(head, 0, head.length);
        }
        if (read >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            return true;
        }
        return read >= 262 && head[257] == 'u' && head[258] == 's' && head[259] == 't' && head[260] == 'a' && head[261] == 'r';
    }

    /**
     * Extracts {@code archive} into {@code target}, which must not exist or be empty.
     *
     * @param source how to name the archive in errors (its URI)
     */
    static void extract(Path archive, Path target, String source) {
        Path parent = target.toAbsolutePath().getParent();
        Path staging;
        try {
            Files.createDirectories(parent);
            staging = Files.createTempDirectory(parent, "." + target.getFileName() + ".extract-");
        } catch (IOException e) {
            throw new LauncherException(Category.PLATFORM, 1, "Cannot create a staging directory next to " + target + ": " + e, e);
        }
        try {
            extractInto(archive, staging.toRealPath(), source);
            if (Files.isDirectory(target)) {
                Files.delete(target); // empty: checked by the caller
            }
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            deleteQuietly(staging);
            throw new LauncherException(Category.USER, 1,
                    "Cannot extract " + source + " into " + target + ": " + describe(e)
                            + ". The source archive must be a tar or tar.gz file (e.g. sourcedir.tar.gz made by the SageMaker SDK)", e);
        } catch (RuntimeException e) {
            deleteQuietly(staging);
            throw e;
        }
    }

    private static String describe(IOException e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    private static void extractInto(Path archive, Path root, String source) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(archive), 64 * 1024)) {
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            InputStream data = b0 == 0x1f && b1 == 0x8b ? new BufferedInputStream(new GZIPInputStream(raw, 64 * 1024), 64 * 1024) : raw;
            try (TarArchiveInputStream tar = new TarArchiveInputStream(data)) {
                TarArchiveEntry entry;
                int count = 0;
                while ((entry = tar.getNextEntry()) != null) {
                    extractEntry(tar, entry, root, source);
                    count++;
                }
                if (count == 0) {
                    throw new IOException("the archive has no entries");
                }
            }
        }
    }

    private static void extractEntry(TarArchiveInputStream tar, TarArchiveEntry entry, Path root, String source) throws IOException {
        String name = entry.getName();
        Path destination = inside(root, name, source, name, "its name");
        if (destination.equals(root)) {
            return; // "./"
        }
        Path parentDir = destination.getParent();
        if (entry.isDirectory()) {
            Files.createDirectories(destination);
            checkRealParent(root, destination, source, name);
            setMode(destination, entry.getMode() | 0700);
            return;
        }
        Files.createDirectories(parentDir);
        checkRealParent(root, destination, source, name);
        if (entry.isSymbolicLink()) {
            String target = entry.getLinkName();
            if (target.startsWith("/")) {
                throw refused(source, name, "is a symbolic link to the absolute path " + target);
            }
            if (!parentDir.resolve(target).normalize().startsWith(root)) {
                throw refused(source, name, "is a symbolic link to " + target + ", which is outside the code directory");
            }
            replace(destination);
            Files.createSymbolicLink(destination, destination.getFileSystem().getPath(target));
        } else if (entry.isLink()) {
            String target = entry.getLinkName();
            if (target.startsWith("/")) {
                throw refused(source, name, "is a hard link to the absolute path " + target);
            }
            Path linked = inside(root, target, source, name, "its link target " + target);
            if (!Files.isRegularFile(linked, LinkOption.NOFOLLOW_LINKS)) {
                throw refused(source, name, "is a hard link to " + target + ", which is not a file extracted before it");
            }
            replace(destination);
            Files.copy(linked, destination, StandardCopyOption.COPY_ATTRIBUTES);
        } else if (entry.isFile()) {
            replace(destination);
            Files.copy(tar, destination);
            setMode(destination, entry.getMode());
            Files.setLastModifiedTime(destination, FileTime.from(entry.getLastModifiedTime().toInstant()));
        } else {
            log.warn("Skipping {} in {}: not a file, directory or link", name, source);
        }
    }

    /** Resolves {@code name} under root and refuses it if it is absolute or leaves root. */
    private static Path inside(Path root, String name, String source, String entry, String what) {
        if (name.startsWith("/")) {
            throw refused(source, entry, "has an absolute path");
        }
        Path resolved = root.resolve(name).normalize();
        if (!resolved.startsWith(root)) {
            throw refused(source, entry, "leaves the code directory through " + what);
        }
        return resolved;
    }

    private static void checkRealParent(Path root, Path destination, String source, String entry) throws IOException {
        if (!destination.getParent().toRealPath().startsWith(root)) {
            throw refused(source, entry, "would be written through a link that leads outside the code directory");
        }
    }

    private static void replace(Path destination) throws IOException {
        if (Files.exists(destination, LinkOption.NOFOLLOW_LINKS)) {
            if (Files.isDirectory(destination, LinkOption.NOFOLLOW_LINKS)) {
                throw new FileAlreadyExistsException(destination.toString(), null, "a directory of the same name exists");
            }
            Files.delete(destination);
        }
    }

    private static LauncherException refused(String source, String entry, String why) {
        return new LauncherException(Category.USER, 1,
                "Refusing to extract " + source + ": entry '" + entry + "' " + why
                        + ". Rebuild the archive with paths relative to the source directory and no links that point outside it");
    }

    static void setMode(Path path, int mode) throws IOException {
        Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ
        };
        for (int bit = 0; bit < order.length; bit++) {
            if ((mode & (1 << bit)) != 0) {
                permissions.add(order[bit]);
            }
        }
        Files.setPosixFilePermissions(path, permissions);
    }

    static void deleteQuietly(Path root) {
        try (var walk = Files.walk(root)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException | RuntimeException ignored) {
            // best effort
        }
    }
}
