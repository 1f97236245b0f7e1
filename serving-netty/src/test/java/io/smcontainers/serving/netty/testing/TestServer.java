package io.smcontainers.serving.netty.testing;

import io.smcontainers.env.core.ServingEnv;
import io.smcontainers.framework.spi.ModelHandler;
import io.smcontainers.serving.netty.ServingServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A real server on 127.0.0.1 (ephemeral port) and a real HTTP client, for integration tests. */
public final class TestServer implements AutoCloseable {
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    private final ServingServer server;

    private TestServer(ServingServer server) {
        this.server = server;
    }

    /** Starts the server with these variables (over quiet test defaults) and waits until it is ready. */
    public static TestServer start(ModelHandler<?> handler, Map<String, String> variables) throws Exception {
        TestServer server = startLoading(handler, variables);
        server.server.ready().get(30, TimeUnit.SECONDS);
        return server;
    }

    /** Starts the server without waiting for the model. */
    public static TestServer startLoading(ModelHandler<?> handler, Map<String, String> variables) {
        Map<String, String> map = new HashMap<>();
        map.put("SAGEMAKER_MODEL_SERVER_WORKERS", "2");
        map.put("SMC_NETTY_THREADS", "2");
        map.put("SAGEMAKER_BASE_DIR", System.getProperty("java.io.tmpdir"));
        map.putAll(variables);
        return new TestServer(ServingServer.start(ephemeral(ServingEnv.fromEnvironment(map, 2)), handler));
    }

    /** {@code env} bound to 127.0.0.1 on an ephemeral port. */
    public static ServingEnv ephemeral(ServingEnv env) {
        return new ServingEnv(
                env.baseDir(),
                "127.0.0.1",
                0,
                env.safePortRange(),
                env.workers(),
                env.invocationTimeout(),
                env.defaultAccept(),
                env.useNginx(),
                env.maxPayloadInMb(),
                env.multiModel(),
                env.program(),
                env.submitDirectory(),
                env.servingModule(),
                env.logLevel(),
                env.startupTimeout(),
                env.currentHost(),
                env.jobQueueSize(),
                env.keepAlive(),
                env.headerReadTimeout(),
                env.bodyMinRate(),
                env.nettyThreads(),
                env.shutdownGrace(),
                env.useNativeIo(),
                env.errorStackTraces(),
                env.environment());
    }

    public ServingServer server() {
        return server;
    }

    public int port() {
        return server.port();
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return CLIENT.send(
                HttpRequest.newBuilder(uri(path))
                        .timeout(Duration.ofSeconds(30))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    public HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return CLIENT.send(
                request.timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    public HttpResponse<byte[]> sendBytes(HttpRequest.Builder request) throws IOException, InterruptedException {
        return CLIENT.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    public HttpResponse<String> post(String path, String contentType, String accept, byte[] body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (accept != null) {
            request.header("Accept", accept);
        }
        return send(request);
    }

    public static HttpClient client() {
        return CLIENT;
    }

    @Override
    public void close() {
        server.shutdown();
    }
}
