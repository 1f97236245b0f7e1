package io.smcontainers.serving.netty;

import io.smcontainers.env.core.process.ProcessSignals;
import io.smcontainers.framework.spi.InvocationContext;
import io.smcontainers.framework.spi.InvocationResponse;
import io.smcontainers.framework.spi.Payload;
import io.smcontainers.serving.netty.codec.JsonCodec;
import io.smcontainers.serving.netty.codec.MediaTypes;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Python worker process and its connection (python-workers spec 3.3-3.9): spawned fresh in its own session, greeted,
 * loaded, then driven by one inference thread at a time with blocking frame I/O (one outstanding INVOKE). A worker that
 * crashes, breaks the protocol or is killed at a deadline is {@link #lost()}: the pool replaces it.
 */
final class PythonWorker {
    private static final Logger log = LoggerFactory.getLogger(PythonWorker.class);

    private final PythonBackend backend;
    private final Path modelDir;
    private final int slot;
    private final String id;
    private final Process process;
    private final long pid;
    private final PythonOutputPump stdout;
    private final PythonOutputPump stderr;
    private final long startedNanos = System.nanoTime();
    private SocketChannel channel;
    private volatile long seq;
    private volatile boolean lost;
    private volatile boolean killedByUs;
    private volatile boolean stopping;
    private volatile boolean deadline;
    private volatile boolean interrupting;
    private volatile boolean cancelled;
    private volatile boolean recycle;
    private long invocations;
    private final long requestLimit;
    private long rssCheckedNanos;
    private volatile long lastUsedNanos = System.nanoTime();

    private PythonWorker(PythonBackend backend, Path modelDir, int slot, String id, Process process, String prefix) {
        this.backend = backend;
        this.modelDir = modelDir;
        this.slot = slot;
        this.id = id;
        this.process = process;
        this.pid = process.pid();
        this.requestLimit = backend.maxRequests(slot);
        this.stdout = new PythonOutputPump(process.getInputStream(), System.out, prefix);
        this.stderr = new PythonOutputPump(process.getErrorStream(), System.err, prefix);
        stdout.start("smc-py-" + id + "-stdout");
        stderr.start("smc-py-" + id + "-stderr");
    }

    /**
     * Runs {@code action} once if the process exits while it is not being stopped (a crash or an outside kill while idle), so
     * that the pool can replace a worker nobody is talking to.
     */
    void onExit(Runnable action) {
        process.onExit().thenRun(() -> {
            if (!stopping) {
                lost = true;
                action.run();
            }
        });
    }

    /** A loaded worker; a LOAD_FAILED, crash or timeout stops the process and throws {@link PythonLoadException}. */
    static PythonWorker start(PythonBackend backend, PythonBackend.Target target, int slot, long loadTimeoutNanos)
            throws PythonLoadException {
        String id = target.modelName() + "/" + slot;
        CompletableFuture<PythonWorkerListener.Hello> hello = new CompletableFuture<>();
        String token = backend.listener().expect(hello);
        Process process;
        try {
            process = backend.spawn(target, slot, id, token);
        } catch (IOException e) {
            hello.cancel(false);
            throw new PythonLoadException(
                    500,
                    "WorkerStartError",
                    "cannot start the Python worker " + id + " with " + backend.python() + " (SMC_PYTHON): "
                            + e.getMessage(),
                    "");
        }
        String prefix = target.multiModel()
                ? "[py " + target.modelName() + " w" + slot + " pid=" + process.pid() + "] "
                : "[py w" + slot + " pid=" + process.pid() + "] ";
        PythonWorker worker = new PythonWorker(backend, target.modelDir(), slot, id, process, prefix);
        process.onExit().thenRun(() -> hello.completeExceptionally(new EOFException("exited")));
        try {
            worker.greet(hello);
            worker.load(target, loadTimeoutNanos);
            return worker;
        } catch (PythonLoadException e) {
            worker.kill();
            throw e;
        } catch (RuntimeException | Error e) {
            worker.kill();
            throw e;
        }
    }

    private void greet(CompletableFuture<PythonWorkerListener.Hello> hello) throws PythonLoadException {
        try {
            PythonWorkerListener.Hello greeting =
                    hello.get(backend.helloTimeout().toMillis(), TimeUnit.MILLISECONDS);
            channel = greeting.channel();
            log.debug(
                    "Python worker {} (pid {}) connected: Python {}, numpy {}",
                    id,
                    pid,
                    greeting.python(),
                    greeting.numpy().orElse("none"));
        } catch (TimeoutException e) {
            hello.cancel(false);
            throw new PythonLoadException(
                    500,
                    "WorkerStartError",
                    "the Python worker " + id + " (pid " + pid + ") did not connect within "
                            + backend.helloTimeout().toSeconds() + " s (SMC_PY_HELLO_TIMEOUT_SECONDS)",
                    stderrTail());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof EOFException) {
                throw died("before it connected");
            }
            throw new PythonLoadException(
                    500,
                    "WorkerStartError",
                    "the Python worker " + id + " could not connect: "
                            + e.getCause().getMessage(),
                    stderrTail());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PythonLoadException(
                    500, "WorkerStartError", "interrupted while starting the Python worker " + id, "");
        }
    }

    private void load(PythonBackend.Target target, long timeoutNanos) throws PythonLoadException {
        Map<String, Object> load = backend.loadMessage(target, slot);
        ScheduledFuture<?> watchdog =
                backend.timer().schedule(this::kill, Math.max(1, timeoutNanos), TimeUnit.NANOSECONDS);
        long started = System.nanoTime();
        try {
            PythonFrames.write(
                    channel,
                    PythonFrames.LOAD,
                    ++seq,
                    ByteBuffer.wrap(JsonCodec.encode(load).getBytes(StandardCharsets.UTF_8)));
            PythonFrames.Frame reply = PythonFrames.read(channel, 64L << 20);
            if (reply.type() == PythonFrames.LOADED) {
                Object parsed = JsonCodec.parse(reply.payload().array(), StandardCharsets.UTF_8);
                Map<?, ?> loaded = parsed instanceof Map<?, ?> map ? map : Map.of();
                log.info(
                        "Python worker {} ready: pid {}, loaded in {} ms, module {}, functions {}, numpy {}",
                        id,
                        pid,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
                        loaded.get("module_file"),
                        loaded.get("functions"),
                        loaded.get("numpy"));
                return;
            }
            if (reply.type() == PythonFrames.LOAD_FAILED) {
                ByteBuffer payload = reply.payload();
                int status = Short.toUnsignedInt(payload.getShort());
                payload.getShort();
                ByteBuffer[] fields = PythonFrames.block(payload, 4);
                throw new PythonLoadException(
                        status,
                        PythonFrames.utf8(fields[0]),
                        PythonFrames.utf8(fields[1]),
                        PythonFrames.utf8(fields[2]));
            }
            throw new PythonFrames.ProtocolException(
                    "expected LOADED, got frame type 0x" + Integer.toHexString(reply.type() & 0xff));
        } catch (PythonLoadException e) {
            throw e;
        } catch (IOException e) {
            if (killedByUs) {
                throw new PythonLoadException(
                        500,
                        "ModelLoadTimeout",
                        "the Python worker " + id + " (pid " + pid + ") did not load the model within "
                                + TimeUnit.NANOSECONDS.toSeconds(timeoutNanos) + " s (SAGEMAKER_STARTUP_TIMEOUT)",
                        stderrTail());
            }
            throw died("while loading the model");
        } finally {
            watchdog.cancel(false);
        }
    }

    /** The exit of a worker that went away during start-up, as a load failure (507 when SIGKILLed, likely out of memory). */
    private PythonLoadException died(String when) {
        String cause = exitCause(awaitExit());
        int status = cause.contains("SIGKILL") && !killedByUs ? 507 : 500;
        return new PythonLoadException(
                status,
                "WorkerDied",
                "the Python worker " + id + " (pid " + pid + ") " + cause + " " + when,
                stderrTail());
    }

    Path modelDir() {
        return modelDir;
    }

    int slot() {
        return slot;
    }

    long pid() {
        return pid;
    }

    String id() {
        return id;
    }

    /** The worker crashed, broke the protocol or was killed: it takes no more work and must be replaced. */
    boolean lost() {
        return lost || recycle;
    }

    /** Whether the worker was retired on purpose (SMC_PY_MAX_RSS_MB / SMC_PY_MAX_REQUESTS): replaced at once, not a crash. */
    boolean recycled() {
        return recycle && !lost;
    }

    boolean killedAtDeadline() {
        return deadline;
    }

    long ageNanos() {
        return System.nanoTime() - startedNanos;
    }

    /** One invocation: INVOKE, then RESULT (a response) or ERROR ({@link PythonError}). */
    InvocationResponse invoke(Payload body, String contentType, String accept, InvocationContext context) {
        if (lost) {
            throw new PythonError(500, "WorkerDied", "the Python worker " + id + " is gone", "", "");
        }
        resetInterrupt();
        long mySeq = ++seq;
        try {
            ByteBuffer[] fields = {
                utf8(contentType),
                utf8(accept),
                utf8(negotiated(context)),
                utf8(context.requestId()),
                utf8(context.customAttributes().orElse("")),
                headers(context),
                body.asByteBuffer()
            };
            ByteBuffer[] payload = new ByteBuffer[fields.length + 1];
            payload[0] = PythonFrames.blockLengths(fields);
            System.arraycopy(fields, 0, payload, 1, fields.length);
            if (context instanceof RequestContext request) {
                // at the deadline the timer acts on the process (SIGKILL, or SIGINT in interrupt mode), not on this
                // thread
                request.onDeadline(() -> backend.timer().execute(() -> deadlineReached(mySeq, context.requestId())));
            }
            PythonFrames.write(channel, PythonFrames.INVOKE, mySeq, payload);
            PythonFrames.Frame reply;
            while (true) {
                try {
                    reply = PythonFrames.read(channel, backend.maxResponseBytes());
                } catch (PythonFrames.OversizeFrame oversize) {
                    PythonFrames.skip(channel, oversize.length);
                    if (oversize.seq != mySeq) {
                        throw new PythonFrames.ProtocolException(
                                "reply seq " + oversize.seq + " does not match INVOKE seq " + mySeq);
                    }
                    throw new PythonError(
                            500,
                            "ResponseTooLarge",
                            "response of " + oversize.length + " bytes exceeds SMC_PY_MAX_RESPONSE_MB ("
                                    + (backend.maxResponseBytes() >> 20) + " MB)",
                            "",
                            "");
                }
                if (reply.seq() != mySeq) {
                    throw new PythonFrames.ProtocolException(
                            "reply seq " + reply.seq() + " does not match INVOKE seq " + mySeq);
                }
                if (reply.type() == PythonFrames.CANCELLED) {
                    // interrupt mode: the call was stopped at its deadline (504 already answered); the worker stays
                    // loaded
                    cancelled = true;
                    lastUsedNanos = System.nanoTime();
                    throw new PythonError(
                            504, "InvocationTimeout", "the call was interrupted at the invocation deadline", "", "");
                }
                break;
            }
            if (interrupting) {
                // the answer came before the SIGINT took effect: it is discarded (the client has its 504); a late
                // SIGINT is ignored while idle
                cancelled = true;
                lastUsedNanos = System.nanoTime();
                throw new PythonError(
                        504, "InvocationTimeout", "the answer came after the invocation deadline", "", "");
            }
            if (reply.type() == PythonFrames.RESULT) {
                InvocationResponse response = result(reply.payload());
                checkRecycling();
                return response;
            }
            if (reply.type() == PythonFrames.ERROR) {
                PythonError error = error(reply.payload());
                checkRecycling();
                throw error;
            }
            throw new PythonFrames.ProtocolException(
                    "unexpected frame type 0x" + Integer.toHexString(reply.type() & 0xff) + " after INVOKE");
        } catch (ClosedByInterruptException | InterruptedIOException e) {
            // the deadline passed (504 already answered) or the drain ended: the worker may be stuck in user code
            lost = true;
            deadline = true;
            log.warn(
                    "Killing Python worker {} (pid {}) and its process group: invocation {} passed its deadline",
                    id,
                    pid,
                    context.requestId());
            kill();
            throw new PythonError(
                    504,
                    "InvocationTimeout",
                    "the Python worker " + id + " was killed at the invocation deadline",
                    "",
                    "");
        } catch (IOException e) {
            lost = true;
            if (deadline) {
                // killed at the deadline from the timer side: the 504 is already answered
                kill();
                throw new PythonError(
                        504,
                        "InvocationTimeout",
                        "the Python worker " + id + " was killed at the invocation deadline",
                        "",
                        "");
            }
            if (stopping) {
                kill();
                throw new PythonError(503, "ServerDraining", "the server is shutting down", "", "");
            }
            boolean protocol = e instanceof PythonFrames.ProtocolException;
            if (protocol) {
                kill();
            }
            int exit = awaitExit();
            String cause = protocol ? "broke the worker protocol (" + e.getMessage() + ")" : exitCause(exit);
            List<String> tail = stderr.tail();
            log.warn(
                    "Python worker {} (pid {}) {} during invocation {}; last stderr lines:\n{}",
                    id,
                    pid,
                    cause,
                    context.requestId(),
                    String.join("\n", tail));
            int status = !protocol && !killedByUs && cause.contains("SIGKILL") ? 507 : 500;
            kill();
            String message = "worker " + id + " " + cause + (status == 507 ? " (possibly out of memory)" : "");
            throw new PythonError(status, "WorkerDied", message, String.join("\n", tail), "");
        }
    }

    /**
     * The invocation {@code mySeq} passed its deadline (on the watchdog thread). {@code kill}: SIGKILL to the process group,
     * which ends the blocked read with EOF. {@code interrupt}: SIGINT to the worker, which answers CANCELLED and stays loaded;
     * without it within SMC_PY_INTERRUPT_GRACE_SECONDS, SIGKILL as above.
     */
    private void deadlineReached(long mySeq, String requestId) {
        if (seq != mySeq || lost) {
            return; // already answered and moved on
        }
        if (backend.interruptMode()) {
            interrupting = true;
            cancelled = false;
            log.warn("Interrupting Python worker {} (pid {}): invocation {} passed its deadline", id, pid, requestId);
            ProcessSignals.signalProcess(pid, "INT");
            backend.timer()
                    .schedule(
                            () -> {
                                if (interrupting && !cancelled && seq == mySeq && !lost) {
                                    log.warn(
                                            "Python worker {} (pid {}) did not stop within SMC_PY_INTERRUPT_GRACE_SECONDS; killing it",
                                            id,
                                            pid);
                                    deadline = true;
                                    kill();
                                }
                            },
                            backend.interruptGraceMillis(),
                            TimeUnit.MILLISECONDS);
            return;
        }
        deadline = true;
        log.warn(
                "Killing Python worker {} (pid {}) and its process group: invocation {} passed its deadline",
                id,
                pid,
                requestId);
        kill();
    }

    /** Called by the pool thread before the next invocation: the interrupt of the previous one is over. */
    private void resetInterrupt() {
        interrupting = false;
        cancelled = false;
    }

    /** How long since the worker last answered something. */
    long idleNanos() {
        return System.nanoTime() - lastUsedNanos;
    }

    /**
     * PING, and PONG within {@code timeoutMillis} (python-workers spec 3.6), by the thread that holds this idle worker; no PONG
     * in time, EOF or a wrong frame kills it and returns false (the crash path).
     */
    boolean ping(long timeoutMillis) {
        if (lost) {
            return false;
        }
        long mySeq = ++seq;
        ScheduledFuture<?> watchdog = backend.timer()
                .schedule(
                        () -> {
                            if (process.isAlive()) {
                                log.warn(
                                        "Python worker {} (pid {}) did not answer PING within {} ms; killing it",
                                        id,
                                        pid,
                                        timeoutMillis);
                                kill();
                            }
                        },
                        timeoutMillis,
                        TimeUnit.MILLISECONDS);
        try {
            PythonFrames.write(channel, PythonFrames.PING, mySeq);
            PythonFrames.Frame reply = PythonFrames.read(channel, 1024);
            if (reply.type() != PythonFrames.PONG || reply.seq() != mySeq) {
                throw new PythonFrames.ProtocolException("expected PONG " + mySeq + ", got type 0x"
                        + Integer.toHexString(reply.type() & 0xff) + " seq " + reply.seq());
            }
            lastUsedNanos = System.nanoTime();
            return true;
        } catch (IOException e) {
            lost = true;
            log.warn("Python worker {} (pid {}) failed its idle PING: {}", id, pid, e.getMessage());
            kill();
            return false;
        } finally {
            watchdog.cancel(false);
        }
    }

    /** After an answered invocation: retire the worker past SMC_PY_MAX_REQUESTS (jittered) or SMC_PY_MAX_RSS_MB (read at most once a second). */
    private void checkRecycling() {
        lastUsedNanos = System.nanoTime();
        invocations++;
        if (requestLimit > 0 && invocations >= requestLimit) {
            log.info(
                    "Recycling Python worker {} (pid {}) after {} invocations (SMC_PY_MAX_REQUESTS)",
                    id,
                    pid,
                    invocations);
            recycle = true;
            return;
        }
        long maxRss = backend.maxRssBytes();
        long now = System.nanoTime();
        if (maxRss > 0 && now - rssCheckedNanos >= 1_000_000_000L) {
            rssCheckedNanos = now;
            long rss = PythonProcesses.rssBytes(pid);
            if (rss > maxRss) {
                log.info(
                        "Recycling Python worker {} (pid {}): RSS {} MB is over SMC_PY_MAX_RSS_MB={}",
                        id,
                        pid,
                        rss >> 20,
                        maxRss >> 20);
                recycle = true;
            }
        }
    }

    private static ByteBuffer utf8(String value) {
        return ByteBuffer.wrap(value.getBytes(StandardCharsets.UTF_8));
    }

    /** The type Java chose among the Python default encoders (JSON, CSV, NPY), or empty (serving contract 3.5). */
    private static String negotiated(InvocationContext context) {
        for (String candidate : context.acceptCandidates()) {
            if (MediaTypes.ENCODABLE.contains(candidate)) {
                return candidate;
            }
        }
        return "";
    }

    private static ByteBuffer headers(InvocationContext context) {
        StringBuilder out = new StringBuilder(256);
        for (Map.Entry<String, String> header : context.headers()) {
            out.append(header.getKey()).append('\0').append(header.getValue()).append('\0');
        }
        return ByteBuffer.wrap(out.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    private static InvocationResponse result(ByteBuffer payload) throws PythonFrames.ProtocolException {
        int status = Short.toUnsignedInt(payload.getShort());
        payload.getShort();
        ByteBuffer[] fields = PythonFrames.block(payload, 4);
        String contentType = withCharset(PythonFrames.utf8(fields[0]));
        String reason = PythonFrames.utf8(fields[1]);
        InvocationResponse response;
        try {
            response = InvocationResponse.of(fields[3], contentType).withStatus(status);
        } catch (IllegalArgumentException e) {
            throw new PythonError(
                    500, "InvalidHandlerResult", "the inference script set an invalid status: " + status, "", "");
        }
        if (!reason.isEmpty()) {
            response = response.withReason(reason);
        }
        String[] headers = PythonFrames.utf8(fields[2]).split("\0", -1);
        for (int i = 0; i + 1 < headers.length; i += 2) {
            String name = headers[i];
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.equals("content-length")
                    || lower.equals("transfer-encoding")
                    || lower.equals("connection")
                    || lower.equals("content-type")) {
                continue;
            }
            response = response.withHeader(name, headers[i + 1]);
        }
        return response;
    }

    /** Werkzeug's rule without its duplicate: {@code ; charset=utf-8} on a lower-case text or XML type that has no charset. */
    static String withCharset(String contentType) {
        String essence = contentType.split(";", 2)[0].strip();
        boolean text = essence.startsWith("text/") || essence.equals("application/xml") || essence.endsWith("+xml");
        if (text && !contentType.toLowerCase(Locale.ROOT).contains("charset")) {
            return contentType + "; charset=utf-8";
        }
        return contentType;
    }

    private static PythonError error(ByteBuffer payload) throws PythonFrames.ProtocolException {
        int status = Short.toUnsignedInt(payload.getShort());
        payload.get();
        payload.get();
        ByteBuffer[] fields = PythonFrames.block(payload, 4);
        if (status < 400 || status > 599) {
            status = 500;
        }
        return new PythonError(
                status,
                PythonFrames.utf8(fields[0]),
                PythonFrames.utf8(fields[1]),
                PythonFrames.utf8(fields[2]),
                PythonFrames.utf8(fields[3]));
    }

    /** Stops the worker: SHUTDOWN, up to 2 s to exit, SIGTERM to its group, 2 s more, SIGKILL; returns once it is reaped. */
    void stop() {
        stopping = true;
        if (process.isAlive() && channel != null && !lost) {
            try {
                PythonFrames.write(channel, PythonFrames.SHUTDOWN, ++seq);
            } catch (IOException | RuntimeException e) {
                // it is already going away
            }
        }
        if (!waitExit(2_000)) {
            killedByUs = true;
            if (!ProcessSignals.terminate(this::signalGroup, 2_000, this::waitExit)) {
                process.destroyForcibly();
                waitExit(5_000);
            }
        }
        signalGroup("KILL"); // what the worker left running in its group
        closeChannel();
    }

    /** SIGKILL to the worker's whole process group (its own subprocesses included) and waits until it is reaped. */
    void kill() {
        killedByUs = true;
        signalGroup("KILL");
        process.destroyForcibly();
        waitExit(5_000);
        closeChannel();
    }

    private void closeChannel() {
        SocketChannel open = channel;
        if (open != null) {
            PythonWorkerListener.closeQuietly(open);
        }
    }

    /** {@code signal} to the worker's process group; to the worker alone when it was started without {@code setsid}. */
    private void signalGroup(String signal) {
        if (ProcessSignals.setsid().isPresent()) {
            ProcessSignals.signalGroups(List.of(pid), signal);
        } else {
            ProcessSignals.signalProcess(pid, signal);
        }
    }

    private boolean waitExit(long millis) {
        try {
            return process.waitFor(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }

    /** The exit status once the process is gone (waiting up to 2 s), or -1 when it still runs. */
    private int awaitExit() {
        boolean interrupted = Thread.interrupted();
        try {
            return process.waitFor(2, TimeUnit.SECONDS) ? process.exitValue() : -1;
        } catch (InterruptedException e) {
            return -1;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** "was killed by SIGKILL", "exited on signal SIGSEGV", "exited with code 3". */
    static String exitCause(int exit) {
        if (exit < 0) {
            return "stopped answering";
        }
        if (exit > 128 && exit < 160) {
            String name = ProcessSignals.name(exit - 128);
            return exit - 128 == 9 ? "was killed by SIGKILL" : "exited on signal " + name;
        }
        return "exited with code " + exit;
    }

    private String stderrTail() {
        awaitExitQuietly();
        return String.join("\n", stderr.tail());
    }

    private void awaitExitQuietly() {
        try {
            process.waitFor(500, TimeUnit.MILLISECONDS);
            Thread.sleep(50); // let the pump read what the process wrote last
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "PythonWorker[" + id + ", pid " + pid + "]";
    }

    /** An ERROR from the worker (or its death) for one invocation: status, Python type, message, traceback, reason phrase. */
    static final class PythonError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;
        final String type;
        final String traceback;
        final String reason;

        PythonError(int status, String type, String message, String traceback, String reason) {
            super(message, null, false, false);
            this.status = status;
            this.type = type.isEmpty() ? "Error" : type;
            this.traceback = traceback;
            this.reason = reason;
        }
    }

    /** A worker that did not get to READY: LOAD_FAILED (status 507 for MemoryError), a crash or a timeout. */
    static final class PythonLoadException extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;
        final String type;
        final String detail;
        final String traceback;

        PythonLoadException(int status, String type, String message, String traceback) {
            super(
                    type + ": " + message + (traceback.isBlank() ? "" : "\n" + traceback.stripTrailing()),
                    null,
                    false,
                    false);
            this.status = status;
            this.type = type;
            this.detail = message;
            this.traceback = traceback;
        }
    }
}
