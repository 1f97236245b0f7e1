package io.smcontainers.intermediate.sync;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which files under a folder some process holds open for writing, read from {@code /proc/<pid>/fd} and
 * {@code fdinfo}. Used for files found by a directory walk (not by a close event), so that a file still being
 * written is never uploaded half-way: its close event will come later.
 */
final class OpenWriters {
    private static final Path PROC = Path.of("/proc");

    private final String rootPrefix;
    private final boolean available;

    OpenWriters(Path root) {
        this.rootPrefix = root.toAbsolutePath().normalize() + "/";
        this.available = Files.isDirectory(PROC.resolve("self/fd"));
    }

    /** False where there is no /proc: callers then rely on size and mtime staying unchanged. */
    boolean available() {
        return available;
    }

    /** Absolute paths under the root open for writing right now (best effort: processes come and go). */
    Set<String> snapshot() {
        Set<String> open = new HashSet<>();
        if (!available) {
            return open;
        }
        try (DirectoryStream<Path> pids =
                Files.newDirectoryStream(PROC, p -> isNumber(p.getFileName().toString()))) {
            for (Path pid : pids) {
                scanProcess(pid, open);
            }
        } catch (IOException | RuntimeException e) {
            // /proc unreadable: nothing known to be open
        }
        return open;
    }

    private void scanProcess(Path pid, Set<String> open) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(pid.resolve("fd"))) {
            for (Path fd : fds) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException | UnsupportedOperationException e) {
                    continue;
                }
                if (target.startsWith(rootPrefix)
                        && openForWrite(pid.resolve("fdinfo").resolve(fd.getFileName()))) {
                    open.add(target);
                }
            }
        } catch (IOException | RuntimeException e) {
            // the process ended or is not ours to read
        }
    }

    private static boolean openForWrite(Path fdinfo) {
        try {
            List<String> lines = Files.readAllLines(fdinfo);
            for (String line : lines) {
                if (line.startsWith("flags:")) {
                    int flags = Integer.parseInt(line.substring(6).trim(), 8);
                    return (flags & 3) != 0; // O_WRONLY or O_RDWR
                }
            }
        } catch (IOException | NumberFormatException e) {
            // gone: not open any more
        }
        return false;
    }

    private static boolean isNumber(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (!Character.isDigit(s.charAt(i))) {
                return false;
            }
        }
        return !s.isEmpty();
    }
}
