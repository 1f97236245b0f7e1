package io.smcontainers.launcher.code;

import static java.util.Objects.requireNonNull;

import io.smcontainers.launcher.error.LauncherException;
import io.smcontainers.launcher.error.LauncherException.Category;
import io.smcontainers.launcher.process.StopSignal;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.EnumSet;
import java.util.Locale;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts the user code into the code dir (reference {@code download_and_extract}, training contract §7.2).
 *
 * <p>A code dir that is not empty is left alone (BYOC code baked into the image wins). Otherwise the submit
 * directory is: an {@code s3://} URI (any case) of a tar.gz or tar; a local path or {@code file://} URI of a
 * directory (copied), of a tar or tar.gz archive (extracted safely) or of any other file (copied in).
 */
public final class CodeFetcher {
    private static final Logger log = LoggerFactory.getLogger(CodeFetcher.class);
    /** Downloads and stream copies lie next to the code dir under this prefix while they are extracted. */
    private static final String DOWNLOAD_PREFIX = ".sourcedir";

    private final Provider<S3Source> s3;
    private final StopSignal stop;

    @Inject
    public CodeFetcher(Provider<S3Source> s3, StopSignal stop) {
        this.s3 = requireNonNull(s3, "s3 is null");
        this.stop = requireNonNull(stop, "stop is null");
    }

    /** Fetches {@code moduleDir} (sagemaker_submit_directory) into {@code codeDir}. */
    public void fetch(String moduleDir, Path codeDir) {
        requireNonNull(moduleDir, "moduleDir is null");
        try {
            if (Files.exists(codeDir) && !Files.isDirectory(codeDir)) {
                throw new LauncherException(
                        Category.USER, 20, "The code directory " + codeDir + " exists but is not a directory");
            }
            Files.createDirectories(codeDir);
            SafeTarExtractor.removeStale(codeDir);
            removeStaleDownloads(codeDir);
            if (!isEmpty(codeDir)) {
                log.info("Provided path: {} is not empty, abandoning unzipping sourcedir.tar.gz", codeDir);
                return;
            }
            log.info("Provided path: {}  is empty, unzipping", codeDir);
            if (moduleDir.regionMatches(true, 0, "s3://", 0, 5)) {
                fromS3(moduleDir, codeDir);
                return;
            }
            Path source = moduleDir.regionMatches(true, 0, "file://", 0, 7)
                    ? Paths.get(URI.create(moduleDir))
                    : Paths.get(moduleDir);
            fromLocal(source, moduleDir, codeDir);
        } catch (IllegalArgumentException e) {
            throw new LauncherException(
                    Category.USER,
                    1,
                    "sagemaker_submit_directory " + moduleDir + " is not a usable path or URI: " + e.getMessage(),
                    e);
        } catch (IOException e) {
            throw new LauncherException(
                    Category.USER,
                    errno(e),
                    "Cannot put the user code from " + moduleDir + " into " + codeDir + ": " + e,
                    e);
        }
    }

    private void fromS3(String uri, Path codeDir) throws IOException {
        URI parsed = URI.create(uri);
        String bucket = parsed.getHost() != null ? parsed.getHost() : parsed.getAuthority();
        String key = parsed.getPath() == null ? "" : parsed.getPath().replaceFirst("^/", "");
        if (bucket == null || bucket.isEmpty() || key.isEmpty()) {
            throw new LauncherException(
                    Category.USER,
                    1,
                    "sagemaker_submit_directory " + uri + " is not an s3://bucket/key URI of a tar.gz file");
        }
        Path download = Files.createTempFile(codeDir.toAbsolutePath().getParent(), DOWNLOAD_PREFIX, ".tar.gz");
        try {
            stop.run("downloading the user code from " + uri, () -> {
                s3.get().download(bucket, key, download);
                return null;
            });
            if (!SafeTarExtractor.looksLikeTar(download)) {
                throw new LauncherException(
                        Category.USER,
                        1,
                        "Cannot extract " + uri
                                + ": it is neither a tar.gz nor a tar archive. Package the source directory "
                                + "as sourcedir.tar.gz (tar czf sourcedir.tar.gz -C src .)");
            }
            extract(download, codeDir, uri);
        } finally {
            Files.deleteIfExists(download);
        }
    }

    /** Extracts on a worker thread so that a stop ends the wait at once, also in the middle of one big entry. */
    private void extract(Path archive, Path codeDir, String uri) throws IOException {
        String during = "extracting the user code from " + uri;
        stop.run(during, () -> {
            SafeTarExtractor.extract(archive, codeDir, uri, () -> stop.check(during));
            return null;
        });
    }

    private void fromLocal(Path source, String uri, Path codeDir) throws IOException {
        if (!Files.exists(source)) {
            throw new LauncherException(
                    Category.USER,
                    2,
                    "The submit directory " + uri
                            + " (sagemaker_submit_directory) does not exist: give an existing directory, a tar.gz file or an s3:// URI");
        }
        if (Files.isDirectory(source)) {
            if (Files.isSameFile(source, codeDir)) {
                return;
            }
            String during = "copying the user code from " + uri;
            stop.run(during, () -> {
                copyTree(source.toRealPath(), codeDir, () -> stop.check(during));
                return null;
            });
        } else if (!Files.isRegularFile(source)) {
            fromStream(source, uri, codeDir);
        } else if (SafeTarExtractor.looksLikeTar(source)) {
            extract(source, codeDir, uri);
        } else {
            Files.copy(source, codeDir.resolve(source.getFileName().toString()), StandardCopyOption.COPY_ATTRIBUTES);
        }
    }

    /**
     * A named pipe (or a character device) can be read once and not seeked: it is read as a stream into a file next to
     * the code dir, then handled as that file (a tar or tar.gz archive is extracted; anything else is refused, as there
     * is no file name to give it). A stop request ends the read at once, also while waiting for a writer.
     */
    private void fromStream(Path source, String uri, Path codeDir) throws IOException {
        Path copy = Files.createTempFile(codeDir.toAbsolutePath().getParent(), DOWNLOAD_PREFIX, ".stream");
        try {
            log.info("{} is not a regular file (a named pipe?): reading it as a stream", source);
            stop.run("reading the user code from " + uri, () -> {
                try (InputStream in = Files.newInputStream(source);
                        OutputStream out = Files.newOutputStream(copy)) {
                    return in.transferTo(out);
                }
            });
            if (!SafeTarExtractor.looksLikeTar(copy)) {
                throw new LauncherException(
                        Category.USER,
                        1,
                        "The submit directory " + uri + " (sagemaker_submit_directory) is "
                                + "not a regular file, a directory or a tar/tar.gz stream: give a directory, a tar.gz file or an s3:// URI");
            }
            extract(copy, codeDir, uri);
        } finally {
            Files.deleteIfExists(copy);
        }
    }

    private static void copyTree(Path source, Path target, Runnable stopCheck) throws IOException {
        Files.walkFileTree(
                source, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE, new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                        stopCheck.run();
                        Path copy = target.resolve(source.relativize(dir).toString());
                        Files.createDirectories(copy);
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                        stopCheck.run();
                        Files.copy(
                                file,
                                target.resolve(source.relativize(file).toString()),
                                StandardCopyOption.COPY_ATTRIBUTES,
                                StandardCopyOption.REPLACE_EXISTING);
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                        if (e != null) {
                            throw e;
                        }
                        Path copy = target.resolve(source.relativize(dir).toString());
                        Files.setPosixFilePermissions(copy, Files.getPosixFilePermissions(dir));
                        Files.setLastModifiedTime(copy, Files.getLastModifiedTime(dir));
                        return FileVisitResult.CONTINUE;
                    }
                });
    }

    /** Downloads of a run that was killed before it deleted them (the job folder is locked: no other run owns them). */
    private static void removeStaleDownloads(Path codeDir) {
        Path parent = codeDir.toAbsolutePath().getParent();
        try (var entries = Files.newDirectoryStream(
                parent, entry -> entry.getFileName().toString().startsWith(DOWNLOAD_PREFIX))) {
            for (Path stale : entries) {
                if (Files.isRegularFile(stale, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    log.info("Removing {}, left by a download that did not finish", stale);
                    Files.deleteIfExists(stale);
                }
            }
        } catch (IOException e) {
            log.warn("Cannot remove stale downloads next to {}: {}", codeDir, e.toString());
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }

    /** The errno the reference would exit with for this I/O error (ENOENT 2, EACCES 13, ENOTDIR 20), else 1. */
    static int errno(IOException e) {
        if (e instanceof NoSuchFileException) {
            return 2;
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return 13;
        }
        if (e instanceof java.nio.file.NotDirectoryException) {
            return 20;
        }
        String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        return message.contains("not a directory") ? 20 : 1;
    }
}
