package io.smcontainers.launcher.code;

import static java.util.Objects.requireNonNull;

import io.smcontainers.launcher.error.LauncherException;
import io.smcontainers.launcher.error.LauncherException.Category;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import java.io.IOException;
import java.net.URI;
import java.nio.file.FileVisitResult;
import java.nio.file.FileVisitOption;
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

    private final Provider<S3Source> s3;

    @Inject
    public CodeFetcher(Provider<S3Source> s3) {
        this.s3 = requireNonNull(s3, "s3 is null");
    }

    /** Fetches {@code moduleDir} (sagemaker_submit_directory) into {@code codeDir}. */
    public void fetch(String moduleDir, Path codeDir) {
        requireNonNull(moduleDir, "moduleDir is null");
        try {
            if (Files.exists(codeDir) && !Files.isDirectory(codeDir)) {
                throw new LauncherException(Category.USER, 20,
                        "The code directory " + codeDir + " exists but is not a directory");
            }
            Files.createDirectories(codeDir);
            if (!isEmpty(codeDir)) {
                log.info("Provided path: {} is not empty, abandoning unzipping sourcedir.tar.gz", codeDir);
                return;
            }
            log.info("Provided path: {}  is empty, unzipping", codeDir);
            if (moduleDir.regionMatches(true, 0, "s3://", 0, 5)) {
                fromS3(moduleDir, codeDir);
                return;
            }
            Path source = moduleDir.regionMatches(true, 0, "file://", 0, 7) ? Paths.get(URI.create(moduleDir)) : Paths.get(moduleDir);
            fromLocal(source, moduleDir, codeDir);
        } catch (IOException e) {
            throw new LauncherException(Category.USER, errno(e),
                    "Cannot put the user code from " + moduleDir + " into " + codeDir + ": " + e, e);
        }
    }

    private void fromS3(String uri, Path codeDir) throws IOException {
        URI parsed = URI.create(uri);
        String bucket = parsed.getHost() != null ? parsed.getHost() : parsed.getAuthority();
        String key = parsed.getPath() == null ? "" : parsed.getPath().replaceFirst("^/", "");
        if (bucket == null || bucket.isEmpty() || key.isEmpty()) {
            throw new LauncherException(Category.USER, 1,
                    "sagemaker_submit_directory " + uri + " is not an s3://bucket/key URI of a tar.gz file");
        }
        Path download = Files.createTempFile(codeDir.toAbsolutePath().getParent(), ".sourcedir", ".tar.gz");
        try {
            s3.get().download(bucket, key, download);
            if (!SafeTarExtractor.looksLikeTar(download)) {
                throw new LauncherException(Category.USER, 1,
                        "Cannot extract " + uri + ": it is neither a tar.gz nor a tar archive. Package the source directory "
                                + "as sourcedir.tar.gz (tar czf sourcedir.tar.gz -C src .)");
            }
            SafeTarExtractor.extract(download, codeDir, uri);
        } finally {
            Files.deleteIfExists(download);
        }
    }

    private static void fromLocal(Path source, String uri, Path codeDir) throws IOException {
        if (!Files.exists(source)) {
            throw new LauncherException(Category.USER, 2, "The submit directory " + uri
                    + " (sagemaker_submit_directory) does not exist: give an existing directory, a tar.gz file or an s3:// URI");
        }
        if (Files.isDirectory(source)) {
            if (Files.isSameFile(source, codeDir)) {
                return;
            }
            copyTree(source.toRealPath(), codeDir);
        } else if (SafeTarExtractor.looksLikeTar(source)) {
            SafeTarExtractor.extract(source, codeDir, uri);
        } else {
            Files.copy(source, codeDir.resolve(source.getFileName().toString()), StandardCopyOption.COPY_ATTRIBUTES);
        }
    }

    private static void copyTree(Path source, Path target) throws IOException {
        Files.walkFileTree(source, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Path copy = target.resolve(source.relativize(dir).toString());
                Files.createDirectories(copy);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.copy(file, target.resolve(source.relativize(file).toString()),
                        StandardCopyOption.COPY_ATTRIBUTES, StandardCopyOption.REPLACE_EXISTING);
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
