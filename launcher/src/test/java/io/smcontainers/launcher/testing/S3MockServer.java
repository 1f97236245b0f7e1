package io.smcontainers.launcher.testing;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The S3Mock 5.2.0 server ({@code s3mock-exec.jar}, fetched by the build) as a child JVM on 127.0.0.1, started once per
 * test JVM and stopped when JUnit closes its root store.
 */
public final class S3MockServer implements BeforeAllCallback {
    private static Running running;

    /** A path-style client for the running server, with the test credentials the ITs give {@code train}. */
    public static S3Client client() {
        return S3Client.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .region(Region.US_WEST_2)
                .endpointOverride(URI.create(endpoint()))
                .forcePathStyle(true)
                .credentialsProvider(
                        StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "secretTEST")))
                .build();
    }

    public static String endpoint() {
        return "http://127.0.0.1:" + running.port;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        synchronized (S3MockServer.class) {
            if (running == null) {
                running = start();
                context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).put(S3MockServer.class, running);
            }
        }
    }

    private static Running start() throws Exception {
        Path jar = Paths.get(System.getProperty("s3mock.jar", "target/s3mock/s3mock-exec.jar"));
        int http = freePort();
        int server = freePort();
        Path store = Files.createTempDirectory("s3mock-store");
        Path log = Paths.get("target", "s3mock-proc.log").toAbsolutePath();
        Process process = new ProcessBuilder(
                        Paths.get(System.getProperty("java.home"), "bin", "java")
                                .toString(),
                        "-XX:TieredStopAtLevel=1",
                        "-jar",
                        jar.toString(),
                        "--http.port=" + http,
                        "--server.port=" + server,
                        "--server.address=127.0.0.1",
                        "--com.adobe.testing.s3mock.store.root=" + store,
                        "--spring.main.banner-mode=off")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("S3Mock exited with " + process.exitValue() + "; see " + log);
            }
            try {
                HttpURLConnection c = (HttpURLConnection)
                        URI.create("http://127.0.0.1:" + http + "/").toURL().openConnection();
                c.setConnectTimeout(1000);
                if (c.getResponseCode() == 200) {
                    return new Running(process, http);
                }
            } catch (IOException notYet) {
                // starting
            }
            Thread.sleep(250);
        }
        process.destroyForcibly();
        throw new IllegalStateException("S3Mock did not start within 180 s; see " + log);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private record Running(Process process, int port) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() throws Exception {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
