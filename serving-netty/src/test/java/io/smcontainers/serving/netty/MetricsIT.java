package io.smcontainers.serving.netty;

import static io.smcontainers.serving.netty.PythonServers.await;
import static io.smcontainers.serving.netty.PythonServers.fixture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcontainers.serving.netty.testing.LeakRecorder;
import io.smcontainers.serving.netty.testing.PrometheusText;
import io.smcontainers.serving.netty.testing.TestHandlers;
import io.smcontainers.serving.netty.testing.TestServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code SMC_METRICS_PORT}: the real server answers real requests; {@code /metrics} is fetched from the metrics port with
 * {@code java.net.http} and read by the Prometheus Python client's text parser, and the counts must be exactly the requests
 * made.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MetricsIT {
    static {
        LeakRecorder.install();
    }

    private static final String INVOCATIONS = "route=\"/invocations\"";

    @AfterEach
    void noLeaks() {
        assertEquals(List.of(), LeakRecorder.collectLeaks());
    }

    @Test
    void requestsAreCountedByRouteModelAndStatusWithTheirLatency() throws Exception {
        try (TestServer server = TestServer.start(new TestHandlers.Actions(), Map.of("SMC_METRICS_PORT", "0"))) {
            for (int i = 0; i < 3; i++) {
                assertEquals(200, invoke(server, "echo").statusCode());
            }
            for (int i = 0; i < 2; i++) {
                assertEquals(400, invoke(server, "status:400").statusCode());
            }
            assertEquals(500, invoke(server, "throw").statusCode());
            assertEquals(404, server.get("/nowhere").statusCode());
            assertEquals(405, server.get("/invocations").statusCode());
            assertEquals(200, server.get("/ping").statusCode());
            assertEquals(200, server.get("/ping").statusCode());

            HttpResponse<String> scrape = scrape(server.server(), "/metrics", Optional.empty());
            assertEquals(200, scrape.statusCode(), scrape.body());
            assertTrue(
                    scrape.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"),
                    scrape.headers().toString());
            PrometheusText metrics = PrometheusText.parse(scrape.body());

            assertEquals(
                    3, metrics.value("smc_http_requests_total{model=\"model\"," + INVOCATIONS + ",status=\"200\"}"));
            assertEquals(
                    2, metrics.value("smc_http_requests_total{model=\"model\"," + INVOCATIONS + ",status=\"400\"}"));
            assertEquals(
                    1, metrics.value("smc_http_requests_total{model=\"model\"," + INVOCATIONS + ",status=\"500\"}"));
            assertEquals(1, metrics.value("smc_http_requests_total{model=\"\"," + INVOCATIONS + ",status=\"405\"}"));
            assertEquals(1, metrics.value("smc_http_requests_total{model=\"\",route=\"other\",status=\"404\"}"));
            assertEquals(
                    2,
                    metrics.value("smc_http_requests_total{model=\"\",route=\"/ping\",status=\"200\"}"),
                    "fast-path pings");
            assertEquals("counter", metrics.type("smc_http_requests"));

            assertEquals("histogram", metrics.type("smc_http_request_duration_seconds"));
            assertEquals(
                    6, metrics.value("smc_http_request_duration_seconds_count{model=\"model\"," + INVOCATIONS + "}"));
            assertEquals(
                    6,
                    metrics.value("smc_http_request_duration_seconds_bucket{le=\"+Inf\",model=\"model\"," + INVOCATIONS
                            + "}"));
            assertEquals(2, metrics.value("smc_http_request_duration_seconds_count{model=\"\",route=\"/ping\"}"));
            assertTrue(metrics.value("smc_http_request_duration_seconds_sum{model=\"model\"," + INVOCATIONS + "}") > 0);
            Map<Double, Double> buckets = new TreeMap<>();
            String prefix = "smc_http_request_duration_seconds_bucket{le=\"";
            String suffix = "\",model=\"model\"," + INVOCATIONS + "}";
            metrics.samples().forEach((key, count) -> {
                if (key.startsWith(prefix) && key.endsWith(suffix)) {
                    String le = key.substring(prefix.length(), key.length() - suffix.length());
                    buckets.put(le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le), count);
                }
            });
            assertEquals(PrometheusMetrics.LATENCY_BUCKETS.length + 1, buckets.size(), "buckets: " + buckets);
            double previous = 0;
            for (double count : buckets.values()) {
                assertTrue(count >= previous, "cumulative buckets: " + buckets);
                previous = count;
            }

            assertEquals(0, metrics.value("smc_inference_queue_depth{}"));
            assertEquals(0, metrics.value("smc_inference_in_flight{}"));
            assertTrue(metrics.value("smc_http_connections{}") >= 1, "the client's keep-alive connection");
            assertEquals(1, metrics.value("smc_model_instances{model=\"model\"}"), "a shared handler: one instance");
            assertEquals(1, metrics.value("smc_model_load_duration_seconds_count{model=\"model\"}"));
            assertTrue(metrics.value("jvm_memory_used_bytes{area=\"heap\"}") > 0);
            assertTrue(
                    metrics.samples().keySet().stream()
                            .anyMatch(key -> key.startsWith("jvm_gc_collection_seconds_count{")),
                    "GC metrics: " + metrics.samples().keySet());

            HttpResponse<String> again = scrape(server.server(), "/metrics", Optional.empty());
            assertEquals(
                    3,
                    PrometheusText.parse(again.body())
                            .value("smc_http_requests_total{model=\"model\"," + INVOCATIONS + ",status=\"200\"}"),
                    "scrapes are not counted as requests");
        }
    }

    @Test
    void theMetricsPortServesMetricsOnlyAndOpenMetricsOnRequest() throws Exception {
        try (TestServer server = TestServer.start(new TestHandlers.Actions(), Map.of("SMC_METRICS_PORT", "0"))) {
            assertEquals(404, scrape(server.server(), "/ping", Optional.empty()).statusCode());
            HttpResponse<String> post = TestServer.client()
                    .send(
                            HttpRequest.newBuilder(metricsUri(server.server(), "/metrics"))
                                    .POST(HttpRequest.BodyPublishers.ofString("x"))
                                    .timeout(Duration.ofSeconds(30))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertEquals(405, post.statusCode());
            assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElse(""));
            HttpResponse<String> open =
                    scrape(server.server(), "/metrics", Optional.of("application/openmetrics-text; version=1.0.0"));
            assertEquals(200, open.statusCode());
            assertTrue(
                    open.headers().firstValue("Content-Type").orElse("").startsWith("application/openmetrics-text"),
                    open.headers().toString());
            assertTrue(open.body().endsWith("# EOF\n"), "OpenMetrics ends with # EOF");
            assertTrue(server.server().metricsPort().orElseThrow() != server.port());
        }
    }

    @Test
    void withoutTheVariableThereIsNoMetricsListener() throws Exception {
        try (TestServer server = TestServer.start(new TestHandlers.Actions(), Map.of())) {
            assertEquals(Optional.empty(), server.server().metricsPort());
            assertEquals(200, invoke(server, "echo").statusCode());
        }
    }

    @Test
    void pythonWorkerRestartsAndLoadTimesAreRecorded() throws Exception {
        try (PythonServers server = PythonServers.start(fixture("f9"), Map.of("SMC_METRICS_PORT", "0"))) {
            assertEquals(500, server.post("exit3").statusCode());
            assertTrue(
                    await(Duration.ofSeconds(60), () -> server.server.loadedInstances() == 2),
                    "the lost worker is replaced");
            PrometheusText metrics = PrometheusText.parse(
                    scrape(server.server, "/metrics", Optional.empty()).body());
            assertEquals(1, metrics.value("smc_python_worker_restarts_total{model=\"model\",reason=\"lost\"}"));
            assertEquals(
                    3,
                    metrics.value("smc_model_load_duration_seconds_count{model=\"model\"}"),
                    "two workers at start-up, one replacement");
            assertEquals(
                    1, metrics.value("smc_http_requests_total{model=\"model\"," + INVOCATIONS + ",status=\"500\"}"));
            assertEquals(2, metrics.value("smc_model_instances{model=\"model\"}"));
        }
    }

    private static HttpResponse<String> invoke(TestServer server, String action)
            throws IOException, InterruptedException {
        return server.send(HttpRequest.newBuilder(server.uri("/invocations"))
                .header("X-Test-Action", action)
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("body")));
    }

    private static URI metricsUri(ServingServer server, String path) {
        return URI.create("http://127.0.0.1:" + server.metricsPort().orElseThrow() + path);
    }

    private static HttpResponse<String> scrape(ServingServer server, String path, Optional<String> accept)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(metricsUri(server, path))
                .timeout(Duration.ofSeconds(30))
                .GET();
        accept.ifPresent(value -> request.header("Accept", value));
        return TestServer.client().send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }
}
