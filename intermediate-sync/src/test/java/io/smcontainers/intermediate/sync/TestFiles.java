package io.smcontainers.intermediate.sync;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;

final class TestFiles {
    private TestFiles() {}

    /** The benchmarks' input: {@code smallCount} files of 4 KB in {@code small}, {@code largeCount} of {@code largeMb}. */
    static void writeBenchmarkFiles(Path small, int smallCount, Path large, int largeCount, int largeMb)
            throws IOException {
        Random random = new Random(1);
        Files.createDirectories(small);
        byte[] block = new byte[4096];
        for (int i = 0; i < smallCount; i++) {
            random.nextBytes(block);
            Files.write(small.resolve("s" + i + ".bin"), block);
        }
        Files.createDirectories(large);
        for (int i = 0; i < largeCount; i++) {
            writeRandom(large.resolve("l" + i + ".bin"), largeMb * 1024L * 1024, random);
        }
    }

    /** {@code size} bytes of {@code random}'s output, written 1 MiB at a time. */
    static void writeRandom(Path file, long size, Random random) throws IOException {
        byte[] block = new byte[1024 * 1024];
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            for (long written = 0; written < size; written += block.length) {
                random.nextBytes(block);
                f.write(block, 0, (int) Math.min(block.length, size - written));
            }
        }
    }

    static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String sha256(InputStream in) throws IOException {
        MessageDigest d = sha();
        byte[] buf = new byte[1 << 16];
        int n;
        while ((n = in.read(buf)) > 0) {
            d.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(d.digest());
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return sha256(in);
        }
    }

    /** The ETag S3 gives an object uploaded from this file: its MD5, or for multipart the MD5 of part MD5s + "-N". */
    static String s3Etag(Path file, long partSize) throws IOException {
        long size = Files.size(file);
        if (size <= partSize) {
            return HexFormat.of().formatHex(md5(file, 0, size));
        }
        MessageDigest all = digest("MD5");
        int parts = 0;
        for (long offset = 0; offset < size; offset += partSize) {
            all.update(md5(file, offset, Math.min(partSize, size - offset)));
            parts++;
        }
        return HexFormat.of().formatHex(all.digest()) + "-" + parts;
    }

    private static byte[] md5(Path file, long offset, long length) throws IOException {
        MessageDigest d = digest("MD5");
        try (var channel = java.nio.channels.FileChannel.open(file)) {
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(1 << 16);
            long position = offset;
            long end = offset + length;
            while (position < end) {
                buf.clear();
                buf.limit((int) Math.min(buf.capacity(), end - position));
                int n = channel.read(buf, position);
                if (n < 0) {
                    break;
                }
                buf.flip();
                d.update(buf);
                position += n;
            }
        }
        return d.digest();
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static MessageDigest sha() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
