package io.smcontainers.env.core.process;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Signals to child processes and their process groups, shared by the launcher's user processes and the serving runtime's
 * Python workers (both start their children through {@code setsid}, so a child leads its own session and process group,
 * pid = pgid = sid). JDK only: the JDK cannot signal a process group, so the shell's {@code kill} builtin does.
 */
public final class ProcessSignals {
    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(1, "SIGHUP"),
            Map.entry(2, "SIGINT"),
            Map.entry(3, "SIGQUIT"),
            Map.entry(4, "SIGILL"),
            Map.entry(5, "SIGTRAP"),
            Map.entry(6, "SIGABRT"),
            Map.entry(7, "SIGBUS"),
            Map.entry(8, "SIGFPE"),
            Map.entry(9, "SIGKILL"),
            Map.entry(10, "SIGUSR1"),
            Map.entry(11, "SIGSEGV"),
            Map.entry(12, "SIGUSR2"),
            Map.entry(13, "SIGPIPE"),
            Map.entry(14, "SIGALRM"),
            Map.entry(15, "SIGTERM"),
            Map.entry(24, "SIGXCPU"),
            Map.entry(25, "SIGXFSZ"));
    private static final Optional<String> SETSID = find("setsid");
    /** How long {@link #terminate} waits for the processes to go after SIGKILL. */
    private static final long KILL_WAIT_MILLIS = 5_000;

    private ProcessSignals() {}

    /** {@code setsid} (util-linux) when installed: a program started through it leads a new session and process group. */
    public static Optional<String> setsid() {
        return SETSID;
    }

    /** The name of a Linux signal by number, {@code SIGTERM} for 15; {@code signal 42} for one without a name here. */
    public static String name(int number) {
        return NAMES.getOrDefault(number, "signal " + number);
    }

    /**
     * Sends {@code signal} (a name such as {@code TERM}) to every process of each group; a group that is gone is not an
     * error. Group ids of 0 and 1 (the caller's own group, init) are skipped.
     */
    public static void signalGroups(Collection<Long> groups, String signal) {
        StringJoiner targets = new StringJoiner(" ");
        new TreeSet<>(groups).stream().filter(group -> group > 1).forEach(group -> targets.add("-" + group));
        if (targets.length() > 0) {
            kill(targets.toString(), signal);
        }
    }

    /** Sends {@code signal} to the one process {@code pid} (not its group); a process that is gone is not an error. */
    public static void signalProcess(long pid, String signal) {
        if (pid > 1) {
            kill(Long.toString(pid), signal);
        }
    }

    /**
     * Stops processes: {@code signal} TERM, up to {@code graceMillis} for {@code exited} to report them gone, then
     * {@code signal} KILL and up to 5 s more.
     *
     * @param signal sends a signal (by name) to the processes, e.g. through {@link #signalGroups}
     * @param exited waits up to the given milliseconds for the processes to be gone and says whether they are
     * @return whether they were gone within the grace period, without SIGKILL
     */
    public static boolean terminate(Consumer<String> signal, long graceMillis, ExitWait exited) {
        requireNonNull(exited, "exited is null");
        signal.accept("TERM");
        if (exited.await(graceMillis)) {
            return true;
        }
        signal.accept("KILL");
        exited.await(KILL_WAIT_MILLIS);
        return false;
    }

    /** Waits for processes to be gone. */
    @FunctionalInterface
    public interface ExitWait {
        /** Waits up to {@code millis} (less when they go sooner) and returns whether they are gone. */
        boolean await(long millis);
    }

    private static void kill(String targets, String signal) {
        // the shell builtin takes negative pids (process groups) everywhere; /usr/bin/kill may be missing
        ProcessBuilder kill = new ProcessBuilder(
                        "/bin/sh", "-c", "kill -s " + signal + " -- " + targets + " 2>/dev/null")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        boolean interrupted = Thread.interrupted();
        try {
            Process process = kill.start();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot send SIG" + signal + " to " + targets + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            interrupted = true;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static Optional<String> find(String program) {
        for (String dir : List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin")) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate.toString());
            }
        }
        return Optional.empty();
    }
}
