package io.smcontainers.serving.netty;

import io.smcontainers.env.core.ServingEnv;
import io.smcontainers.serving.netty.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * Test harness for the Python backend: a real {@link ServingServer} with a real {@link PythonBackend} on 127.0.0.1 (ephemeral
 * port), model dirs copied from {@code src/test/resources/python/<fixture>}, Debian's {@code /usr/bin/python3} (numpy,
 * scikit-learn) when present, worker processes found through {@code /proc} by their {@code SMC_WORKER_SOCKET}.
 */
final class PythonServers implements AutoCloseable {
    static final String PYTHON = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    private static final Tee ERR = Tee.install();

    final ServingServer server;
    final PythonBackend backend;
    final Path modelDir;
    private final Path socket;

    private PythonServers(ServingServer server, PythonBackend backend, Path modelDir) {
        this.server = server;
        this.backend = backend;
        this.modelDir = modelDir;
        this.socket = backend.listener().socket();
    }

    /** Copies fixture {@code name} into a fresh temp dir and returns it. */
    static Path fixture(String name) throws IOException {
        Path target = Files.createTempDirectory("smc-py-" + name + "-");
        copyFixture(name, target);
        return target;
    }

    static void copyFixture(String name, Path target) throws IOException {
        Path source;
        try {
            source = Path.of(PythonServers.class
                    .getClassLoader()
                    .getResource("python/" + name)
                    .toURI());
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
        try (Stream<Path> files = Files.walk(source)) {
            for (Path file : files.toList()) {
                Path copy = target.resolve(source.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(copy);
                } else {
                    Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /** Starts and waits until ready (60 s) and, for a single model, until every worker has loaded. */
    static PythonServers start(Path modelDir, Map<String, String> variables) throws Exception {
        PythonServers server = startLoading(modelDir, variables);
        try {
            server.server.ready().get(60, TimeUnit.SECONDS);
            int workers = Integer.parseInt(variables.getOrDefault("SAGEMAKER_MODEL_SERVER_WORKERS", "2"));
            if (!variables.containsKey("SAGEMAKER_MULTI_MODEL")
                    && !await(Duration.ofSeconds(60), () -> server.server.loadedInstances() == workers)) {
                throw new AssertionError(
                        "only " + server.server.loadedInstances() + " of " + workers + " workers loaded within 60 s");
            }
        } catch (Exception e) {
            server.close();
            throw e;
        }
        return server;
    }

    static PythonServers startLoading(Path modelDir, Map<String, String> variables) throws IOException {
        Map<String, String> map = new HashMap<>();
        map.put("SAGEMAKER_MODEL_SERVER_WORKERS", "2");
        map.put("SMC_NETTY_THREADS", "2");
        map.put("SAGEMAKER_BASE_DIR", System.getProperty("java.io.tmpdir"));
        map.putAll(variables);
        ServingEnv env = ServingEnv.fromEnvironment(map, 2);
        ServingEnv ephemeral = TestServer.ephemeral(env);
        String program = map.getOrDefault("SAGEMAKER_PROGRAM", "inference");
        Path code = modelDir.resolve("code");
        PythonOptions options = new PythonOptions(
                PYTHON,
                Files.isDirectory(code) && !env.multiModel() ? Optional.of(code) : Optional.empty(),
                program.endsWith(".py") ? program.substring(0, program.length() - 3) : program,
                map.containsKey("SAGEMAKER_PROGRAM"),
                List.of(),
                Optional.empty(),
                0,
                2,
                map,
                () -> {});
        PythonBackend backend = PythonBackend.open(options, ephemeral);
        try {
            return new PythonServers(ServingServer.start(ephemeral, backend.handler(), modelDir), backend, modelDir);
        } catch (RuntimeException e) {
            backend.close();
            throw e;
        }
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return TestServer.client()
                .send(
                        HttpRequest.newBuilder(uri(path))
                                .timeout(Duration.ofSeconds(30))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    HttpResponse<String> post(String body) throws IOException, InterruptedException {
        return post(body, "text/plain", null);
    }

    HttpResponse<String> post(String body, String contentType, String accept) throws IOException, InterruptedException {
        return TestServer.client()
                .send(
                        invocation(body.getBytes(StandardCharsets.UTF_8), contentType, accept)
                                .build(),
                        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    HttpResponse<byte[]> postBytes(byte[] body, String contentType, String accept)
            throws IOException, InterruptedException {
        return TestServer.client()
                .send(invocation(body, contentType, accept).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    HttpRequest.Builder invocation(byte[] body, String contentType, String accept) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri("/invocations"))
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (accept != null) {
            request.header("Accept", accept);
        }
        return request;
    }

    /** Live (not zombie) processes whose environment names this server's worker socket: the workers and whatever they started. */
    List<Long> processes() {
        return processesWith("SMC_WORKER_SOCKET=" + socket);
    }

    static List<Long> processesWith(String environmentEntry) {
        byte[] needle = (environmentEntry + "\0").getBytes(StandardCharsets.UTF_8);
        List<Long> found = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(Path.of("/proc"))) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.isEmpty() || !Character.isDigit(name.charAt(0))) {
                    continue;
                }
                try {
                    String stat = Files.readString(entry.resolve("stat"), StandardCharsets.ISO_8859_1);
                    String state = stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
                    if (state.equals("Z") || state.equals("X")) {
                        continue;
                    }
                    byte[] environ = Files.readAllBytes(entry.resolve("environ"));
                    if (indexOf(environ, needle) >= 0) {
                        found.add(Long.parseLong(name));
                    }
                } catch (IOException | RuntimeException gone) {
                    // exited meanwhile, or not ours to read
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return found;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Polls {@code condition} every 20 ms until it holds or {@code timeout} passes; returns whether it held. */
    static boolean await(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(20);
        }
        return condition.getAsBoolean();
    }

    /** What the workers and the server wrote to stderr since {@link #markErr()}. */
    static String errSince(int mark) {
        return ERR.since(mark);
    }

    static int markErr() {
        return ERR.mark();
    }

    /** Stops the server and the backend; fails when a worker or one of its children is still alive 5 s later. */
    @Override
    public void close() {
        server.shutdown();
        backend.close();
        try {
            if (!await(Duration.ofSeconds(5), () -> processes().isEmpty())) {
                List<Long> left = processes();
                for (Long pid : left) {
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                }
                throw new AssertionError("Python worker processes left running after the server stopped: " + left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** System.err copied into memory (bounded to 64 MB) so tests can read what the workers printed. */
    static final class Tee extends OutputStream {
        private final PrintStream original;
        private final ByteArrayOutputStream copy = new ByteArrayOutputStream();

        private Tee(PrintStream original) {
            this.original = original;
        }

        static Tee install() {
            Tee tee = new Tee(System.err);
            System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
            System.setOut(new PrintStream(new TeeOut(System.out, tee), true, StandardCharsets.UTF_8));
            return tee;
        }

        @Override
        public synchronized void write(int b) {
            original.write(b);
            if (copy.size() < (64 << 20)) {
                copy.write(b);
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            original.write(b, off, len);
            if (copy.size() < (64 << 20)) {
                copy.write(b, off, len);
            }
        }

        synchronized int mark() {
            return copy.size();
        }

        synchronized String since(int mark) {
            byte[] all = copy.toByteArray();
            return new String(all, Math.min(mark, all.length), Math.max(0, all.length - mark), StandardCharsets.UTF_8);
        }
    }

    /** System.out: to the console and into the same in-memory copy as stderr. */
    private static final class TeeOut extends OutputStream {
        private final PrintStream original;
        private final Tee tee;

        TeeOut(PrintStream original, Tee tee) {
            this.original = original;
            this.tee = tee;
        }

        @Override
        public void write(int b) {
            original.write(b);
            synchronized (tee) {
                tee.copy.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) {
            original.write(b, off, len);
            synchronized (tee) {
                if (tee.copy.size() < (64 << 20)) {
                    tee.copy.write(b, off, len);
                }
            }
        }
    }
}
