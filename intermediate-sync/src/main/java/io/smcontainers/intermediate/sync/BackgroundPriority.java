package io.smcontainers.intermediate.sync;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the sync's threads behind the training: each one lowers its own CPU priority (nice {@value #NICE}) and I/O
 * priority (best-effort, level 7, the lowest that never starves) when it starts, so that uploads take the CPU and
 * the disk that the training leaves over. On Linux, nice and I/O priority belong to the thread (its id read from
 * {@code /proc/thread-self}), set with {@code setpriority(2)} and {@code ioprio_set(2)} through JNA; the training
 * process and the launcher's other threads keep theirs. Threads a lowered thread creates (the SDK's, the JDK's) inherit
 * the lower priority. Elsewhere, or when a call is refused, the thread runs at normal priority (logged once, at
 * debug).
 */
final class BackgroundPriority {
    private static final Logger log = LoggerFactory.getLogger(BackgroundPriority.class);

    static final int NICE = 10;
    private static final int PRIO_PROCESS = 0;
    private static final long IOPRIO_WHO_PROCESS = 1;
    private static final long IOPRIO_CLASS_BE = 2;
    private static final long IOPRIO_LOWEST_LEVEL = 7;
    private static final long IOPRIO_CLASS_SHIFT = 13;
    private static final Path THREAD_SELF = Path.of("/proc/thread-self");

    interface LibC extends Library {
        int setpriority(int which, int who, int prio) throws LastErrorException;

        long syscall(long number, Object... args) throws LastErrorException;
    }

    private static final AtomicInteger warned = new AtomicInteger();
    private static volatile LibC libc;

    private BackgroundPriority() {}

    /** A thread that lowers its priority before it runs {@code task}; a daemon, so it never holds the JVM open. */
    static Thread daemon(Runnable task, String name) {
        Thread t = new Thread(
                () -> {
                    lowerCurrentThread();
                    task.run();
                },
                name);
        t.setDaemon(true);
        return t;
    }

    /** Daemon threads named {@code prefix-N} that lower their priority first: for the sync's executors. */
    static ThreadFactory threadFactory(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return task -> daemon(task, prefix + "-" + count.incrementAndGet());
    }

    /**
     * Lowers the JVM's JIT compiler threads too: once the sync runs, most of what they compile is the sync's code, and
     * the launcher's own threads only wait for the training. Compiling in the background never stops a Java thread (it
     * runs interpreted meanwhile), so the launcher's signal handling is not delayed; the garbage collector's threads,
     * which do stop every thread, keep their priority. Compiler threads the JVM adds later are started by these and
     * inherit the lower priority.
     */
    static void lowerCompilerThreads() {
        LibC c = libc();
        if (c == null) {
            return;
        }
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                try {
                    String name = Files.readString(task.resolve("comm"));
                    int tid = Integer.parseInt(task.getFileName().toString());
                    if ((name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre"))
                            && niceOf(tid) < NICE) {
                        c.setpriority(PRIO_PROCESS, tid, NICE);
                    }
                } catch (IOException | NumberFormatException gone) {
                    // ended meanwhile
                }
            }
        } catch (IOException | LastErrorException e) {
            log.debug("Cannot lower the JIT compiler threads' priority: {}", e.toString());
        }
    }

    /** Lowers the calling thread's CPU priority to nice {@value #NICE} (never raises it) and its I/O priority. */
    static boolean lowerCurrentThread() {
        int tid = currentThreadId();
        LibC c = tid > 0 ? libc() : null;
        if (c == null) {
            return false;
        }
        try {
            int now = niceOf(tid);
            if (now < NICE) {
                c.setpriority(PRIO_PROCESS, tid, NICE);
            }
            long ioprioSet = ioprioSetNumber();
            if (ioprioSet > 0) {
                c.syscall(
                        ioprioSet,
                        IOPRIO_WHO_PROCESS,
                        (long) tid,
                        (IOPRIO_CLASS_BE << IOPRIO_CLASS_SHIFT) | IOPRIO_LOWEST_LEVEL);
            }
            return ioprioSet > 0;
        } catch (IOException | LastErrorException | UnsupportedOperationException e) {
            if (warned.getAndIncrement() == 0) {
                log.debug("Cannot lower the sync threads' priority ({}); they run at normal priority", e.toString());
            }
            return false;
        }
    }

    /** The kernel's id of the calling thread, from {@code /proc/thread-self -> <pid>/task/<tid>}; 0 when unknown. */
    static int currentThreadId() {
        try {
            return Integer.parseInt(
                    Files.readSymbolicLink(THREAD_SELF).getFileName().toString());
        } catch (IOException | UnsupportedOperationException | NumberFormatException | NullPointerException e) {
            return 0;
        }
    }

    /** The nice value of thread {@code tid} of this process, from {@code /proc/self/task/<tid>/stat} (field 19). */
    static int niceOf(int tid) throws IOException {
        String stat = Files.readString(Path.of("/proc/self/task", Integer.toString(tid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Integer.parseInt(fields[16]);
    }

    private static long ioprioSetNumber() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (arch.equals("amd64") || arch.equals("x86_64")) {
            return 251;
        }
        if (arch.equals("aarch64") || arch.equals("arm64")) {
            return 30;
        }
        return 0;
    }

    private static LibC libc() {
        LibC c = libc;
        if (c != null) {
            return c;
        }
        try {
            c = Native.load("c", LibC.class);
            libc = c;
            return c;
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            if (warned.getAndIncrement() == 0) {
                log.debug("Cannot load libc ({}); the sync threads run at normal priority", e.toString());
            }
            return null;
        }
    }
}
