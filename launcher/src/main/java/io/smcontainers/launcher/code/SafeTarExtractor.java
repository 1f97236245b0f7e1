package io.smcontainers.launcher.code;

import io.smcontainers.launcher.error.LauncherException;
import io.smcontainers.launcher.error.LauncherException.Category;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Extracts a tar archive, gzip-compressed or plain, into an empty directory without letting any entry escape it.
 *
 * <p>Every entry is checked against what is already on disk before anything is created: its path is walked one
 * component at a time from the root and may pass through real directories only, never through a link (so a chain
 * such as {@code a -> .}, {@code b -> a/..} cannot lead a later {@code b/x} outside). Refused, with an error naming
 * the archive and the entry: absolute names, {@code ..} that leaves the root, writing through any link, symbolic links
 * whose target is absolute or leaves the root (a {@code ..} in a target may follow real directories only), and hard
 * links to anything but a regular file extracted earlier from the same archive. A gzip stream is read to its end and
 * its trailer (CRC-32 and size) verified. Everything is extracted into a staging directory next to the target first
 * and moved into place at the end; on any error the staging directory is deleted, so nothing half-extracted is left
 * behind, and staging directories left by a killed run are removed by the next one. Modes (executable bits) and
 * modification times are kept. Device files and FIFOs are skipped.
 */
final class SafeTarExtractor {
    private static final Logger log = LoggerFactory.getLogger(SafeTarExtractor.class);
    private static final String STAGING_INFIX = ".extract-";

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
        return read >= 262
                && head[257] == 'u'
                && head[258] == 's'
                && head[259] == 't'
                && head[260] == 'a'
                && head[261] == 'r';
    }

    /** Removes staging directories of {@code target} left behind by a run that was killed while extracting. */
    static void removeStale(Path target) {
        Path parent = target.toAbsolutePath().getParent();
        String prefix = "." + target.getFileName() + STAGING_INFIX;
        if (parent == null || !Files.isDirectory(parent)) {
            return;
        }
        try (var entries = Files.newDirectoryStream(
                parent, entry -> entry.getFileName().toString().startsWith(prefix))) {
            for (Path stale : entries) {
                log.info("Removing {}, left by an extraction that did not finish", stale);
                deleteQuietly(stale);
            }
        } catch (IOException e) {
            log.warn("Cannot list {} for stale extraction folders: {}", parent, e.toString());
        }
    }

    /**
     * Extracts {@code archive} into {@code target}, which must not exist or be empty.
     *
     * @param source how to name the archive in errors (its URI)
     * @param stopCheck called between entries; throws to abandon the extraction (a stop request)
     */
    static void extract(Path archive, Path target, String source, Runnable stopCheck) {
        Path parent = target.toAbsolutePath().getParent();
        Path staging;
        try {
            Files.createDirectories(parent);
            staging = Files.createTempDirectory(parent, "." + target.getFileName() + STAGING_INFIX);
        } catch (IOException e) {
            throw new LauncherException(
                    Category.PLATFORM, 1, "Cannot create a staging directory next to " + target + ": " + e, e);
        }
        try {
            extractInto(archive, staging.toRealPath(), source, stopCheck);
            if (Files.isDirectory(target)) {
                Files.delete(target); // empty: checked by the caller
            }
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (ZipException e) {
            deleteQuietly(staging);
            throw new LauncherException(
                    Category.USER,
                    1,
                    "Cannot extract " + source + " into " + target + ": the gzip data is corrupt (" + e.getMessage()
                            + "). Upload the archive again (tar czf sourcedir.tar.gz ...)",
                    e);
        } catch (EOFException e) {
            deleteQuietly(staging);
            throw new LauncherException(
                    Category.USER,
                    1,
                    "Cannot extract " + source + " into " + target + ": the archive is truncated (" + describe(e)
                            + "). Upload the archive again (tar czf sourcedir.tar.gz ...)",
                    e);
        } catch (IOException e) {
            deleteQuietly(staging);
            throw new LauncherException(
                    Category.USER,
                    1,
                    "Cannot extract " + source + " into " + target + ": " + describe(e)
                            + ". The source archive must be a tar or tar.gz file (e.g. sourcedir.tar.gz made by the SageMaker SDK)",
                    e);
        } catch (RuntimeException | Error e) {
            deleteQuietly(staging);
            throw e;
        }
    }

    private static String describe(IOException e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    private static void extractInto(Path archive, Path root, String source, Runnable stopCheck) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(archive), 64 * 1024)) {
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            boolean gzip = b0 == 0x1f && b1 == 0x8b;
            InputStream data = gzip ? new BufferedInputStream(new GZIPInputStream(raw, 64 * 1024), 64 * 1024) : raw;
            TarArchiveInputStream tar = new TarArchiveInputStream(data);
            Set<Path> files = new HashSet<>();
            TarArchiveEntry entry;
            int count = 0;
            while ((entry = tar.getNextEntry()) != null) {
                stopCheck.run();
                extractEntry(tar, entry, root, source, files);
                count++;
            }
            if (count == 0) {
                throw new IOException("the archive has no entries");
            }
            if (gzip) {
                // the tar reader stops at the end-of-archive blocks: read the gzip stream to its end, so that
                // GZIPInputStream checks the trailer (CRC-32 and size of the data) and a corrupt byte is an error
                byte[] rest = new byte[64 * 1024];
                while (data.read(rest) >= 0) {
                    stopCheck.run();
                }
            }
        }
    }

    private static void extractEntry(
            TarArchiveInputStream tar, TarArchiveEntry entry, Path root, String source, Set<Path> files)
            throws IOException {
        String name = entry.getName();
        List<String> parts = components(name, source, name, "its name");
        if (parts.isEmpty()) {
            return; // "./"
        }
        Path parentDir = directories(root, parts.subList(0, parts.size() - 1), source, name);
        Path destination = parentDir.resolve(parts.get(parts.size() - 1));
        if (entry.isDirectory()) {
            if (Files.isSymbolicLink(destination)) {
                throw refused(source, name, "would be written through the link " + root.relativize(destination));
            }
            if (!Files.isDirectory(destination, LinkOption.NOFOLLOW_LINKS)) {
                replace(destination);
                Files.createDirectory(destination);
            }
            setMode(destination, entry.getMode() | 0700);
            return;
        }
        if (entry.isSymbolicLink()) {
            String target = entry.getLinkName();
            checkLinkTarget(root, parentDir, target, source, name);
            replace(destination);
            Files.createSymbolicLink(destination, destination.getFileSystem().getPath(target));
            files.remove(destination);
        } else if (entry.isLink()) {
            String target = entry.getLinkName();
            List<String> targetParts = components(target, source, name, "its link target " + target);
            Path linkedDir = targetParts.isEmpty()
                    ? null
                    : directories(root, targetParts.subList(0, targetParts.size() - 1), null, name);
            Path linked = linkedDir == null ? null : linkedDir.resolve(targetParts.get(targetParts.size() - 1));
            if (linked == null || !files.contains(linked) || !Files.isRegularFile(linked, LinkOption.NOFOLLOW_LINKS)) {
                throw refused(
                        source,
                        name,
                        "is a hard link to " + target + ", which is not a regular file extracted before it");
            }
            replace(destination);
            Files.copy(linked, destination, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
            files.add(destination);
        } else if (entry.isFile()) {
            replace(destination);
            try (OutputStream out = Files.newOutputStream(
                    destination, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                tar.transferTo(out);
            }
            setMode(destination, entry.getMode());
            Files.setLastModifiedTime(
                    destination, FileTime.from(entry.getLastModifiedTime().toInstant()));
            files.add(destination);
        } else {
            log.warn("Skipping {} in {}: not a file, directory or link", name, source);
        }
    }

    /** The path components of an entry name, without {@code .}; refuses absolute names and {@code ..} that leaves the root. */
    private static List<String> components(String name, String source, String entry, String what) {
        if (name.startsWith("/")) {
            throw refused(source, entry, "has an absolute path");
        }
        List<String> parts = new ArrayList<>();
        for (String part : name.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (parts.isEmpty()) {
                    throw refused(source, entry, "leaves the code directory through " + what);
                }
                parts.remove(parts.size() - 1);
            } else {
                parts.add(part);
            }
        }
        return parts;
    }

    /**
     * Walks (and creates) the directories {@code parts} under root, through real directories only.
     *
     * @param source the archive, to refuse a link on the way; null to return null instead of creating or refusing
     */
    private static Path directories(Path root, List<String> parts, String source, String entry) throws IOException {
        Path current = root;
        for (String part : parts) {
            Path next = current.resolve(part);
            if (Files.isSymbolicLink(next)) {
                if (source == null) {
                    return null;
                }
                throw refused(source, entry, "would be written through the link " + root.relativize(next));
            }
            if (!Files.isDirectory(next, LinkOption.NOFOLLOW_LINKS)) {
                if (source == null) {
                    return null;
                }
                if (Files.exists(next, LinkOption.NOFOLLOW_LINKS)) {
                    throw new FileAlreadyExistsException(
                            next.toString(), null, "a file of the same name as a directory of entry " + entry);
                }
                Files.createDirectory(next);
                setMode(next, 0755);
            }
            current = next;
        }
        return current;
    }

    /**
     * A symbolic link's target must stay inside the root however the links on its way resolve: not absolute, and each
     * {@code ..} must follow real directories only (a {@code ..} after a link or a name not extracted yet could lead
     * anywhere once that name becomes a link).
     */
    private static void checkLinkTarget(Path root, Path linkDir, String target, String source, String entry) {
        if (target.startsWith("/")) {
            throw refused(source, entry, "is a symbolic link to the absolute path " + target);
        }
        Path current = linkDir;
        boolean resolved = true; // whether current is a real directory on disk (no link, nothing missing on the way)
        for (String part : target.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!resolved) {
                    throw refused(
                            source,
                            entry,
                            "is a symbolic link to " + target
                                    + ", whose '..' follows a link or a name not extracted yet, so it may lead outside the code directory");
                }
                if (current.equals(root)) {
                    throw refused(
                            source, entry, "is a symbolic link to " + target + ", which is outside the code directory");
                }
                current = current.getParent();
                continue;
            }
            current = current.resolve(part);
            if (resolved && !Files.isDirectory(current, LinkOption.NOFOLLOW_LINKS)) {
                resolved = false;
            }
        }
    }

    private static void replace(Path destination) throws IOException {
        if (Files.exists(destination, LinkOption.NOFOLLOW_LINKS)) {
            if (Files.isDirectory(destination, LinkOption.NOFOLLOW_LINKS)) {
                throw new FileAlreadyExistsException(
                        destination.toString(), null, "a directory of the same name exists");
            }
            Files.delete(destination); // a file or a link itself, never what a link points to
        }
    }

    private static LauncherException refused(String source, String entry, String why) {
        return new LauncherException(
                Category.USER,
                1,
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
