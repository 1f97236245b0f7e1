package io.smcontainers.gpu.probe;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a short-lived probe command with a hard time limit: stdin is {@code /dev/null}, stdout and stderr are read
 * concurrently up to a size cap (the rest is read and thrown away so the command never blocks on a full pipe), and a
 * command that is still running, or still holding its output open, when the time is up is killed together with its
 * descendants. The caller gets an answer within the time limit whatever the command does.
 */
final class CommandRunner {

    /** Standard output kept for parsing; a probe that prints more than this is not trusted. */
    static final int STDOUT_CAP = 1 << 20;
    /** Standard error kept for log lines. */
    static final int STDERR_CAP = 8 << 10;

    private static final File DEV_NULL = new File("/dev/null");

    private final Duration timeout;

    CommandRunner(Duration timeout) {
        this.timeout = checkTimeout(timeout);
    }

    /** Returns {@code timeout} if it is positive; throws otherwise. */
    static Duration checkTimeout(Duration timeout) {
        requireNonNull(timeout, "timeout is null");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("Probe timeout must be positive, got " + timeout);
        }
        return timeout;
    }

    Duration timeout() {
        return timeout;
    }

    CommandOutcome run(Path executable, List<String> arguments) {
        List<String> argv = new ArrayList<>(1 + arguments.size());
        argv.add(executable.toString());
        argv.addAll(arguments);
        String command = String.join(" ", argv);
        long deadline = System.nanoTime() + timeout.toNanos();

        Process process;
        try {
            process = new ProcessBuilder(argv).redirectInput(DEV_NULL).start();
        } catch (IOException | RuntimeException e) {
            return new CommandOutcome.NotRun(command, "could not start it: " + e.getMessage());
        }
        String name = executable.getFileName().toString();
        CappedReader stdout = CappedReader.start(process.getInputStream(), STDOUT_CAP, "probe-" + name + "-stdout");
        CappedReader stderr = CappedReader.start(process.getErrorStream(), STDERR_CAP, "probe-" + name + "-stderr");
        try {
            if (!process.waitFor(remainingNanos(deadline), TimeUnit.NANOSECONDS)) {
                int killed = killTree(process);
                return new CommandOutcome.TimedOut(
                        command, "it was still running after " + millis(timeout) + "; killed it" + descendants(killed));
            }
            if (!stdout.await(deadline) || !stderr.await(deadline)) {
                int killed = killTree(process);
                return new CommandOutcome.TimedOut(
                        command,
                        "it exited with code " + process.exitValue()
                                + " but its output was still open after " + millis(timeout)
                                + " (a background process kept it)"
                                + (killed > 0 ? "; killed" + descendants(killed) : ""));
            }
            return new CommandOutcome.Exited(
                    command, process.exitValue(), stdout.bytes(), stdout.size(), stderr.bytes());
        } catch (InterruptedException e) {
            killTree(process);
            Thread.currentThread().interrupt();
            return new CommandOutcome.NotRun(command, "interrupted while waiting for it; killed it");
        }
    }

    /** Kills the process and its descendants (snapshot taken first: they are re-parented once it dies). */
    private static int killTree(Process process) {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        return descendants.size();
    }

    private static String descendants(int count) {
        return switch (count) {
            case 0 -> "";
            case 1 -> " and 1 descendant process";
            default -> " and " + count + " descendant processes";
        };
    }

    private static String millis(Duration duration) {
        return duration.toMillis() + " ms";
    }

    private static long remainingNanos(long deadline) {
        return Math.max(0, deadline - System.nanoTime());
    }

    /**
     * Reads a stream to its end on a daemon thread, keeping the first {@code cap} bytes and counting the rest. The
     * thread ends when the stream does; if a stray process keeps the pipe open it is simply left behind.
     */
    private static final class CappedReader implements Runnable {
        private final InputStream in;
        private final int cap;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private long size;
        private final Thread thread;

        private CappedReader(InputStream in, int cap, String threadName) {
            this.in = in;
            this.cap = cap;
            this.thread = new Thread(this, threadName);
            thread.setDaemon(true);
        }

        static CappedReader start(InputStream in, int cap, String threadName) {
            CappedReader reader = new CappedReader(in, cap, threadName);
            reader.thread.start();
            return reader;
        }

        @Override
        public void run() {
            byte[] buffer = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    int keep = (int) Math.min(n, Math.max(0, cap - size));
                    kept.write(buffer, 0, keep);
                    size += n;
                }
            } catch (IOException e) {
                // the pipe broke or was closed: what was read so far is all there is
            }
        }

        /** Waits for the end of the stream until {@code deadline} ({@link System#nanoTime()}); true if it ended. */
        boolean await(long deadline) throws InterruptedException {
            long remaining = remainingNanos(deadline);
            if (remaining > 0) {
                TimeUnit.NANOSECONDS.timedJoin(thread, remaining);
            }
            return !thread.isAlive();
        }

        /** Only after {@link #await} returned true (the join makes the reader's writes visible). */
        byte[] bytes() {
            return kept.toByteArray();
        }

        long size() {
            return size;
        }
    }
}
