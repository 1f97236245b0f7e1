package io.smcontainers.serving.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcontainers.serving.netty.testing.LeakRecorder;
import io.smcontainers.serving.netty.testing.TestHandlers;
import io.smcontainers.serving.netty.testing.TestServer;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Graceful shutdown: in-flight requests finish, new work is refused, the port closes, within the grace bound. */
class ShutdownIT {
    static {
        LeakRecorder.install();
    }

    @Test
    void drainsInFlightRequestsThenStops() throws Exception {
        TestHandlers.Actions handler = new TestHandlers.Actions();
        TestServer server = TestServer.start(handler, Map.of("SMC_SHUTDOWN_GRACE_SECONDS", "10"));
        int port = server.port();
        CompletableFuture<HttpResponse<String>> inFlight = TestServer.client().sendAsync(HttpRequest.newBuilder(server.uri("/invocations"))
                .header("X-Test-Action", "sleep:1500").POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        while (handler.started.get() == 0) {
            Thread.sleep(10);
        }
        long start = System.nanoTime();
        CompletableFuture<Void> stopping = CompletableFuture.runAsync(server::close);
        HttpResponse<String> finished = inFlight.get(10, TimeUnit.SECONDS);
        assertEquals(200, finished.statusCode());
        assertEquals("slept", finished.body());
        assertEquals("close", finished.headers().firstValue("Connection").orElseThrow());
        stopping.get(15, TimeUnit.SECONDS);
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(took >= 1000 && took < 10_000, "drained in " + took + " ms");
        assertThrows(java.io.IOException.class, () -> new Socket("127.0.0.1", port).close(), "the listener is closed");
        assertEquals(List.of(), LeakRecorder.collectLeaks());
    }

    @Test
    void theDrainIsBoundedByTheGracePeriod() throws Exception {
        TestHandlers.Actions handler = new TestHandlers.Actions();
        TestServer server = TestServer.start(handler, Map.of("SMC_SHUTDOWN_GRACE_SECONDS", "1", "SAGEMAKER_MODEL_SERVER_TIMEOUT", "60"));
        TestServer.client().sendAsync(HttpRequest.newBuilder(server.uri("/invocations")).header("X-Test-Action", "hang")
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        while (handler.started.get() == 0) {
            Thread.sleep(10);
        }
        long start = System.nanoTime();
        server.close();
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        handler.release.countDown();
        assertTrue(took < 8000, "stopped in " + took + " ms despite a hung handler");
    }
}
