package io.smcontainers.serving.netty;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Process-group plumbing for Python workers: the {@code setsid} wrapper and signals to a whole group. */
final class PythonProcesses {
    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(1, "SIGHUP"), Map.entry(2, "SIGINT"), Map.entry(3, "SIGQUIT"), Map.entry(4, "SIGILL"),
            Map.entry(5, "SIGTRAP"), Map.entry(6, "SIGABRT"), Map.entry(7, "SIGBUS"), Map.entry(8, "SIGFPE"),
            Map.entry(9, "SIGKILL"), Map.entry(10, "SIGUSR1"), Map.entry(11, "SIGSEGV"), Map.entry(12, "SIGUSR2"),
            Map.entry(13, "SIGPIPE"), Map.entry(14, "SIGALRM"), Map.entry(15, "SIGTERM"));
    private static final Optional<String> SETSID = find("setsid");

    private PythonProcesses() {}

    /** {@code setsid} when installed: the worker then leads its own session and process group (pid = pgid). */
    static Optional<String> setsid() {
        return SETSID;
    }

    /** Sends {@code signal} (a name such as {@code KILL}) to every process of group {@code pgid}; a gone group is not an error. */
    static void signalGroup(long pgid, String signal) {
        if (pgid <= 1) {
            return;
        }
        signalTarget(SETSID.isPresent() ? "-" + pgid : Long.toString(pgid), signal);
    }

    private static void signalTarget(String target, String signal) {
        // the shell builtin takes a negative pid (a process group); /usr/bin/kill may be missing
        ProcessBuilder kill = new ProcessBuilder("/bin/sh", "-c", "kill -s " + signal + " -- " + target + " 2>/dev/null")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        boolean interrupted = Thread.interrupted();
        try {
            Process process = kill.start();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot send SIG" + signal + " to " + target + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            interrupted = true;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

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
            return files.filter(Files::isRegularFile).mapToLong(path -> {
                try {
                    return Files.size(path);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** Sends {@code signal} to the one process {@code pid} (not its group). */
    static void signal(long pid, String signal) {
        signalTarget(Long.toString(pid), signal);
    }

    static String signalName(int number) {
        return NAMES.getOrDefault(number, "signal " + number);
    }

    private static Optional<String> find(String program) {
        for (String dir : new String[] {"/usr/bin", "/bin", "/usr/local/bin"}) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate.toString());
            }
        }
        return Optional.empty();
    }
}
