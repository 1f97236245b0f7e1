package io.smcontainers.launcher.process;

import com.sun.jna.Library;
import com.sun.jna.Native;
import io.smcontainers.env.core.process.ProcStat;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code tini} does for a container whose entry point is the launcher: as PID 1 it inherits every orphan in the
 * container (a user script's daemon whose parent exited), and an orphan that exits stays a zombie until PID 1 waits for
 * it. The JVM waits only for the processes it started, so this daemon thread does the rest: once a second it lists the
 * zombie children of PID 1 in {@code /proc} and reaps ({@code waitpid(pid, WNOHANG)}) those seen as zombies on two
 * consecutive scans. The JDK reaps its own children the instant they exit (a reaper thread is blocked in
 * {@code waitpid} on each), so a zombie that outlives a whole scan interval is one nobody waits for; reaping only those
 * never takes an exit status from the JDK. Runs only when the launcher is PID 1.
 */
public final class OrphanReaper implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(OrphanReaper.class);
    private static final long SCAN_MILLIS = 1000;
    private static final int WNOHANG = 1;

    /** The one libc call needed; JNA is on the class path already (intermediate-sync's inotify). */
    interface LibC extends Library {
        int waitpid(int pid, int[] status, int options);
    }

    private final LibC libc;
    private final long self;
    private Set<String> zombiesLastScan = Set.of();

    OrphanReaper(LibC libc, long self) {
        this.libc = libc;
        this.self = self;
    }

    /**
     * Starts the reaper thread when this process is PID 1 (of a container's PID namespace); otherwise does nothing. The
     * thread loads libc itself, so the entry point does not wait for JNA.
     */
    public static void startIfInit() {
        long pid = ProcessHandle.current().pid();
        if (pid != 1) {
            return;
        }
        Thread thread = new Thread(
                () -> {
                    LibC libc;
                    try {
                        libc = Native.load("c", LibC.class);
                    } catch (UnsatisfiedLinkError | RuntimeException e) {
                        log.warn(
                                "Running as PID 1 but cannot load libc to reap orphaned processes ({}); exited orphans stay zombies",
                                e.toString());
                        return;
                    }
                    new OrphanReaper(libc, pid).run();
                },
                "orphan-reaper");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void run() {
        while (!Thread.currentThread().isInterrupted()) {
            scan();
            try {
                TimeUnit.MILLISECONDS.sleep(SCAN_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One pass: reaps the zombie children seen on the previous pass too, remembers the new ones. */
    void scan() {
        Set<String> zombies = new HashSet<>();
        try {
            for (ProcStat process : ProcStat.all()) {
                if (process.state() != 'Z' || process.ppid() != self) {
                    continue;
                }
                // pid and start time: a pid reused between two scans is a different process
                String zombie = process.pid() + " " + process.startTime();
                if (zombiesLastScan.contains(zombie)) {
                    int pid = Math.toIntExact(process.pid());
                    int reaped = libc.waitpid(pid, new int[1], WNOHANG);
                    log.debug("Reaped orphaned process {} ({})", pid, reaped == pid ? "exited" : "already gone");
                } else {
                    zombies.add(zombie);
                }
            }
        } catch (RuntimeException e) {
            log.debug("Orphan scan failed: {}", e.toString());
        }
        zombiesLastScan = zombies;
    }
}
