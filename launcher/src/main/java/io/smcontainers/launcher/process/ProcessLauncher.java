package io.smcontainers.launcher.process;

import static java.util.Objects.requireNonNull;

import io.smcontainers.env.core.process.ProcessSignals;
import jakarta.inject.Inject;
import java.io.File;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs user processes: each in its own session and process group (through {@code setsid}), stdin from
 * {@code /dev/null}, stdout inherited (the child writes straight to the container's stdout), stderr copied line by
 * line to ours while a bounded tail is kept for the failure message. When the process exits, whatever it left
 * running in its session (any process group) is stopped, so no run leaves processes behind. A stop request (SIGTERM
 * to the launcher) is forwarded to the whole session, which gets a grace period before SIGKILL.
 */
public final class ProcessLauncher {
    private static final Logger log = LoggerFactory.getLogger(ProcessLauncher.class);
    private static final int TAIL_BYTES = 16 * 1024;
    private static final long LEFTOVER_GRACE_MILLIS = 2_000;
    /** After the session is stopped only a process that left it (setsid) can hold stderr open: not waited for long. */
    private static final long PUMP_JOIN_MILLIS = 1_000;

    private final Optional<String> setsid;
    private final OutputStream stderr;
    private final StopSignal stop;
    private final ProcessActivity activity;

    @Inject
    public ProcessLauncher(StopSignal stop, ProcessActivity activity) {
        this(stop, new FileOutputStream(FileDescriptor.err), findSetsid(), activity);
    }

    ProcessLauncher(StopSignal stop, OutputStream stderr, Optional<String> setsid, ProcessActivity activity) {
        this.stop = requireNonNull(stop, "stop is null");
        this.stderr = requireNonNull(stderr, "stderr is null");
        this.setsid = requireNonNull(setsid, "setsid is null");
        this.activity = requireNonNull(activity, "activity is null");
    }

    /**
     * Starts {@code command}, waits for it, stops what it left behind and returns how it ended.
     *
     * @throws IOException when the program cannot be started (missing, not executable)
     * @throws io.smcontainers.launcher.error.LauncherException exit code 7 when its arguments and environment are too
     *     big for the kernel (E2BIG)
     */
    public ProcessResult run(Command command, boolean keepStderrTail) throws IOException {
        if (stop.requested()) {
            return new ProcessResult(128 + stop.signalNumber(), "", 0, stop.signalNumber());
        }
        List<String> argv = new ArrayList<>();
        setsid.ifPresent(argv::add);
        argv.addAll(command.argv());
        ProcessBuilder builder = new ProcessBuilder(argv)
                .directory(command.workingDir().toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.INHERIT)
                .redirectError(ProcessBuilder.Redirect.PIPE);
        builder.environment().clear();
        builder.environment().putAll(command.environment());
        System.out.flush();
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            if (ArgumentLimits.isTooLong(e)) {
                throw ArgumentLimits.tooLong(command, e);
            }
            throw e;
        }
        activity.started();
        // setsid execs in place (the JVM's child is never a group leader), so the pid is the session and group id
        ProcessGroup group = new ProcessGroup(process.pid(), setsid.isPresent());
        StreamPump pump = new StreamPump(process.getErrorStream(), stderr, keepStderrTail ? TAIL_BYTES : 0);
        Thread pumpThread = new Thread(pump, "stderr-pump-" + process.pid());
        pumpThread.setDaemon(true);
        pumpThread.start();
        StopSignal.Registration registration = stop.register(group, process);
        int exitCode = -1;
        try {
            exitCode = waitFor(process);
        } finally {
            registration.close();
            activity.exited(exitCode);
        }
        int leftBehind = group.terminate(LEFTOVER_GRACE_MILLIS);
        if (leftBehind > 0) {
            log.warn(
                    "The process left {} process(es) running in its session after it exited; they were stopped",
                    leftBehind);
        }
        join(pumpThread);
        return new ProcessResult(exitCode, keepStderrTail ? pump.tail() : "", leftBehind, stop.signalNumber());
    }

    private static int waitFor(Process process) {
        while (true) {
            try {
                return process.waitFor();
            } catch (InterruptedException e) {
                // keep waiting: the child decides when it ends; stop requests reach it through its group
                Thread.interrupted();
            }
        }
    }

    private static void join(Thread pump) {
        try {
            pump.join(PUMP_JOIN_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (pump.isAlive()) {
            log.warn("stderr of the process is still held open by a process outside its session; not waiting for it");
        }
    }

    private static Optional<String> findSetsid() {
        Optional<String> setsid = ProcessSignals.setsid();
        if (setsid.isEmpty()) {
            log.warn("setsid not found (util-linux): user processes share the launcher's process group; "
                    + "only the direct child can be signalled");
        }
        return setsid;
    }
}
