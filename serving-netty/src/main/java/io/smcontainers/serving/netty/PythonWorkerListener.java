package io.smcontainers.serving.netty;

import io.smcontainers.serving.netty.codec.JsonCodec;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one Unix-domain socket Python workers connect to (python-workers spec 3.4): {@code <tmp>/smc-<pid>-<8 hex>/w.sock}
 * in a 0700 directory. Each spawned worker gets a one-time 128-bit token; a connection is handed to its worker only
 * when its first frame is a HELLO with a pending token. Anything else is logged and closed.
 */
final class PythonWorkerListener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PythonWorkerListener.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final long HELLO_READ_MILLIS = 10_000;

    private final Path directory;
    private final Path socket;
    private final ServerSocketChannel server;
    private final Map<String, CompletableFuture<Hello>> pending = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;
    private final Thread acceptor;
    private volatile boolean closed;

    /** A worker's accepted connection and its HELLO fields. */
    record Hello(SocketChannel channel, long pid, String python, Optional<String> numpy) {}

    private PythonWorkerListener(Path directory) throws IOException {
        this.directory = directory;
        this.socket = directory.resolve("w.sock");
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "smc-py-hello-timer");
            thread.setDaemon(true);
            return thread;
        });
        this.acceptor = new Thread(this::acceptLoop, "smc-py-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Creates the socket directory under {@code java.io.tmpdir} (or {@code /tmp} when that path would be too long) and listens. */
    static PythonWorkerListener open() throws IOException {
        String name =
                "smc-" + ProcessHandle.current().pid() + "-" + HexFormat.of().formatHex(randomBytes(4));
        Path base = Path.of(System.getProperty("java.io.tmpdir"));
        if (base.toAbsolutePath().resolve(name).resolve("w.sock").toString().length() > 100) {
            base = Path.of("/tmp");
        }
        Path directory = Files.createDirectory(
                base.toAbsolutePath().resolve(name),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try {
            return new PythonWorkerListener(directory);
        } catch (IOException | RuntimeException e) {
            deleteTree(directory);
            throw e;
        }
    }

    Path directory() {
        return directory;
    }

    Path socket() {
        return socket;
    }

    /** A fresh one-time token and the future its HELLO completes. */
    String expect(CompletableFuture<Hello> hello) {
        String token = HexFormat.of().formatHex(randomBytes(16));
        pending.put(token, hello);
        hello.whenComplete((value, error) -> pending.remove(token, hello));
        return token;
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel channel;
            try {
                channel = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!closed) {
                    log.warn("Accepting a Python worker connection on {} failed: {}", socket, e.toString());
                }
                continue;
            }
            Thread reader = new Thread(() -> greet(channel), "smc-py-hello");
            reader.setDaemon(true);
            reader.start();
        }
    }

    /** Reads the first frame within 10 s; a HELLO with a pending token completes that worker's future. */
    private void greet(SocketChannel channel) {
        java.util.concurrent.ScheduledFuture<?> guard =
                timer.schedule(() -> closeQuietly(channel), HELLO_READ_MILLIS, TimeUnit.MILLISECONDS);
        try {
            PythonFrames.Frame frame = PythonFrames.read(channel, 64 * 1024);
            guard.cancel(false);
            if (frame.type() != PythonFrames.HELLO) {
                refuse(
                        channel,
                        "its first frame is of type 0x" + Integer.toHexString(frame.type() & 0xff) + ", not HELLO");
                return;
            }
            Object parsed = JsonCodec.parse(frame.payload().array(), java.nio.charset.StandardCharsets.UTF_8);
            if (!(parsed instanceof Map<?, ?> map)) {
                refuse(channel, "its HELLO is not a JSON object");
                return;
            }
            Object token = map.get("token");
            CompletableFuture<Hello> waiting = token instanceof String ? pending.remove(token) : null;
            if (waiting == null) {
                refuse(channel, "its HELLO carries no token of a worker being started");
                return;
            }
            Object protocol = map.get("protocol");
            if (!(protocol instanceof Number) || ((Number) protocol).intValue() != 1) {
                closeQuietly(channel);
                waiting.completeExceptionally(
                        new IOException("the worker speaks protocol " + protocol + ", this server protocol 1: "
                                + "smc_worker.py and the serving-netty jar come from different versions"));
                return;
            }
            long pid = map.get("pid") instanceof Number number ? number.longValue() : -1;
            String python = String.valueOf(map.get("python"));
            Optional<String> numpy =
                    map.get("numpy") instanceof String version ? Optional.of(version) : Optional.empty();
            if (!waiting.complete(new Hello(channel, pid, python, numpy))) {
                closeQuietly(channel);
            }
        } catch (IOException | RuntimeException e) {
            guard.cancel(false);
            refuse(channel, "it did not send a valid HELLO (" + e.getMessage() + ")");
        }
    }

    private void refuse(SocketChannel channel, String why) {
        log.warn("Refused a connection to the Python worker socket {}: {}", socket, why);
        closeQuietly(channel);
    }

    static void closeQuietly(java.io.Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException ignored) {
            // nothing to do: it is gone either way
        }
    }

    /** Deletes a directory tree we made (no links followed); failures are ignored. */
    static void deleteTree(Path root) {
        try (java.util.stream.Stream<Path> paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException | RuntimeException ignored) {
            // already gone
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        timer.shutdownNow();
        for (CompletableFuture<Hello> waiting : pending.values()) {
            waiting.completeExceptionally(new IOException("the server is stopping"));
        }
        deleteTree(directory);
    }
}
