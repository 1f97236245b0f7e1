package io.smcontainers.serving.netty;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What Python workers use from {@code /proc}: memory of a worker and of the machine, bytes of a model folder (signals: env-core's {@code ProcessSignals}). */
final class PythonProcesses {
    private PythonProcesses() {}

    /** {@code VmRSS} of a process from {@code /proc/<pid>/status}, in bytes; 0 when it cannot be read. */
    static long rssBytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    String[] parts = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return 0;
    }

    /** {@code MemAvailable} from {@code /proc/meminfo} in bytes; 0 when unknown. */
    static long memAvailableBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemAvailable:")) {
                    return Long.parseLong(line.substring(13).trim().split("\\s+")[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return 0;
    }

    /** The bytes of the regular files under {@code root} (links not followed). */
    static long treeBytes(Path root) {
        try (java.util.stream.Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile)
                    .mapToLong(path -> {
                        try {
                            return Files.size(path);
                        } catch (IOException e) {
                            return 0;
                        }
                    })
                    .sum();
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
