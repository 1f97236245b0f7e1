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
 * S3Mock (a real S3-protocol server) as a child JVM on 127.0.0.1, from the exec jar that the build fetches into
 * {@code target/s3mock} (system property {@code s3mock.jar}). Start-up takes about 10 s on two cores.
 */
final class S3MockProcess implements AutoCloseable {
    private final Process process;
    private final URI endpoint;
    private final Path store;

    private S3MockProcess(Process process, URI endpoint, Path store) {
        this.process = process;
        this.endpoint = endpoint;
        this.store = store;
    }

    static S3MockProcess start() {
        String jar = System.getProperty("s3mock.jar", "target/s3mock/s3mock-exec.jar");
        Path jarPath = Path.of(jar);
        if (!Files.isRegularFile(jarPath)) {
            throw new IllegalStateException("S3Mock jar not found at " + jarPath.toAbsolutePath()
                    + "; run the build through Maven (maven-dependency-plugin fetches it in process-test-resources)");
        }
        try {
            int httpPort = freePort();
            int httpsPort = freePort();
            Path store = Files.createTempDirectory("s3mock-store");
            Path log = jarPath.toAbsolutePath().getParent().resolve("s3mock-proc-" + httpPort + ".log");
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process p = new ProcessBuilder(List.of(java, "-Xmx1g", "-XX:+UseParallelGC", "-jar",
                    jarPath.toString(), "--http.port=" + httpPort, "--server.port=" + httpsPort,
                    "--server.address=127.0.0.1", "--com.adobe.testing.s3mock.store.root=" + store,
                    "--spring.main.banner-mode=off", "--logging.level.root=WARN"))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            URI endpoint = URI.create("http://127.0.0.1:" + httpPort);
            S3MockProcess server = new S3MockProcess(p, endpoint, store);
            server.awaitReady(log);
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start S3Mock", e);
        }
    }

    private void awaitReady(Path log) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("S3Mock exited with " + process.exitValue() + "; see " + log);
            }
            try {
                HttpURLConnection c = (HttpURLConnection) endpoint.toURL().openConnection();
                c.setConnectTimeout(500);
                c.setReadTimeout(2000);
                if (c.getResponseCode() == 200) {
                    c.disconnect();
                    return;
                }
                c.disconnect();
            } catch (IOException notYet) {
                // keep polling
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for S3Mock", e);
            }
        }
        close();
        throw new IllegalStateException("S3Mock did not answer on " + endpoint + " within 120 s; see " + log);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
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
