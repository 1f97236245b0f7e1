package io.smcontainers.intermediate.sync;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real S3-protocol server as a child JVM on 127.0.0.1, from jars the build fetches into {@code target/s3mock}.
 * <ul>
 *   <li>{@link #s3mock()}: S3Mock 5.2.0 (system property {@code s3mock.jar}); the most faithful (multipart, checksums);
 *       about 10 s to start; it serialises the creation of new keys and rewrites a per-bucket key index on each, so
 *       PutObject of new keys gets slower as a bucket grows (quadratic in the number of keys).
 *   <li>{@link #s3proxy()}: S3Proxy 4.1.0 with its in-memory store (system property {@code s3proxy.jar}); starts in
 *       about 2 s and serves requests concurrently: used for the 10,000-file test and the throughput benchmark.
 * </ul>
 */
final class S3ServerProcess implements AutoCloseable {
    private final Process process;
    private final URI endpoint;
    private final Path store;

    private S3ServerProcess(Process process, URI endpoint, Path store) {
        this.process = process;
        this.endpoint = endpoint;
        this.store = store;
    }

    static final String ACCESS_KEY = "AKIDTEST";
    static final String SECRET_KEY = "secretTEST";

    static S3ServerProcess s3mock() {
        Path jar = jar("s3mock.jar", "target/s3mock/s3mock-exec.jar");
        try {
            int httpPort = freePort();
            int httpsPort = freePort();
            Path store = Files.createTempDirectory("s3mock-store");
            return launch(
                    jar,
                    httpPort,
                    store,
                    "-Xmx1g",
                    List.of(
                            "--http.port=" + httpPort,
                            "--server.port=" + httpsPort,
                            "--server.address=127.0.0.1",
                            "--com.adobe.testing.s3mock.store.root=" + store,
                            "--spring.main.banner-mode=off",
                            "--logging.level.root=WARN"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start S3Mock", e);
        }
    }

    static S3ServerProcess s3proxy() {
        Path jar = jar("s3proxy.jar", "target/s3mock/s3proxy.jar");
        try {
            int port = freePort();
            Path store = Files.createTempDirectory("s3proxy-conf");
            Path conf = store.resolve("s3proxy.conf");
            Files.writeString(
                    conf,
                    String.join(
                            "\n",
                            "s3proxy.endpoint=http://127.0.0.1:" + port,
                            "s3proxy.authorization=aws-v2-or-v4",
                            "s3proxy.identity=" + ACCESS_KEY,
                            "s3proxy.credential=" + SECRET_KEY,
                            "s3proxy.ignore-unknown-headers=true",
                            "jclouds.provider=transient-nio2",
                            "jclouds.identity=" + ACCESS_KEY,
                            "jclouds.credential=" + SECRET_KEY,
                            ""));
            return launch(jar, port, store, "-Xmx6g", List.of("--properties", conf.toString()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start S3Proxy", e);
        }
    }

    private static Path jar(String property, String fallback) {
        Path jar = Path.of(System.getProperty(property, fallback));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(property + " not found at " + jar.toAbsolutePath()
                    + "; run the build through Maven (maven-dependency-plugin fetches it in process-test-resources)");
        }
        return jar;
    }

    private static S3ServerProcess launch(Path jar, int port, Path store, String heap, List<String> args)
            throws IOException {
        Path log = jar.toAbsolutePath().getParent().resolve(jar.getFileName() + "-" + port + ".log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command =
                new java.util.ArrayList<>(List.of(java, heap, "-XX:+UseParallelGC", "-jar", jar.toString()));
        command.addAll(args);
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        S3ServerProcess server = new S3ServerProcess(p, URI.create("http://127.0.0.1:" + port), store);
        server.awaitReady(log);
        return server;
    }

    private void awaitReady(Path log) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("S3 server exited with " + process.exitValue() + "; see " + log);
            }
            try {
                HttpURLConnection c = (HttpURLConnection) endpoint.toURL().openConnection();
                c.setConnectTimeout(500);
                c.setReadTimeout(2000);
                int status = c.getResponseCode(); // any answer: S3Proxy says 403 to an unsigned request
                c.disconnect();
                if (status > 0) {
                    return;
                }
            } catch (IOException notYet) {
                // keep polling
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the S3 server", e);
            }
        }
        close();
        throw new IllegalStateException("S3 server did not answer on " + endpoint + " within 120 s; see " + log);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    long pid() {
        return process.pid();
    }

    URI endpoint() {
        return endpoint;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        TestFiles.deleteTree(store);
    }
}
