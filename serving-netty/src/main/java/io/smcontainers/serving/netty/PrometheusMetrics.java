package io.smcontainers.serving.netty;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The server's metrics in a Prometheus registry (Prometheus Java client 1.x), served by {@link MetricsEndpoint}: answers
 * by route, model and status with their latency, the inference queue, instance loads and Python worker restarts, and
 * the library's JVM and process metrics. Per answer: one clock read, the route read from the URI without allocating,
 * and the counter and histogram children cached per route, model and status (a map look-up and an array index), so
 * the registry's own label look-up runs once per series.
 */
final class PrometheusMetrics implements Metrics {
    /** Latency buckets, seconds: sub-millisecond pings up to the 60 s default invocation timeout. */
    static final double[] LATENCY_BUCKETS = {
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60
    };
    /** Instance load buckets, seconds, up to the 600 s default start-up timeout. */
    static final double[] LOAD_BUCKETS = {0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600};

    private static final String NO_MODEL = "";

    /** The {@code route} label: the router's paths, multi-model paths as templates (a bounded set); anything else {@code other}. */
    enum Route {
        PING("/ping"),
        INVOCATIONS("/invocations"),
        EXECUTION_PARAMETERS("/execution-parameters"),
        MODELS("/models"),
        MODEL("/models/{model}"),
        MODEL_INVOKE("/models/{model}/invoke"),
        OTHER("other");

        final String label;

        Route(String label) {
            this.label = label;
        }

        /** The route of a request URI, as {@link RequestRouter#path} reads it (no query, one trailing slash ignored), without allocating. */
        static Route of(String uri) {
            int end = uri.indexOf('?');
            if (end < 0) {
                end = uri.length();
            }
            if (end > 1 && uri.charAt(end - 1) == '/') {
                end--;
            }
            if (is(uri, end, "/invocations")) {
                return INVOCATIONS;
            }
            if (is(uri, end, "/ping")) {
                return PING;
            }
            if (is(uri, end, "/execution-parameters")) {
                return EXECUTION_PARAMETERS;
            }
            if (!uri.startsWith("/models") || end < 7) {
                return OTHER;
            }
            if (end == 7) {
                return MODELS;
            }
            if (uri.charAt(7) != '/' || end == 8) {
                return OTHER;
            }
            int slash = uri.indexOf('/', 8);
            if (slash < 0 || slash >= end) {
                return MODEL;
            }
            return slash > 8 && end - slash == 7 && uri.startsWith("/invoke", slash) ? MODEL_INVOKE : OTHER;
        }

        private static boolean is(String uri, int end, String path) {
            return end == path.length() && uri.startsWith(path);
        }
    }

    /** The children of one route, model and status. */
    private record Series(CounterDataPoint requests, DistributionDataPoint latency) {}

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter requests;
    private final Histogram latency;
    private final Histogram loads;
    private final Counter loadFailures;
    private final Counter restarts;
    /** Per route (ordinal): model to the series of each status (index = status, 100..599; written racily, each write the same children). */
    private final Map<String, Series[]>[] series;

    @SuppressWarnings("unchecked")
    PrometheusMetrics() {
        requests = Counter.builder()
                .name("smc_http_requests_total")
                .help("HTTP requests answered, by route, model (invocations only) and status")
                .labelNames("route", "model", "status")
                .withoutExemplars()
                .register(registry);
        latency = Histogram.builder()
                .name("smc_http_request_duration_seconds")
                .help("Time from reading a request (its body included) to writing its answer, by route and model")
                .labelNames("route", "model")
                .classicOnly()
                .classicUpperBounds(LATENCY_BUCKETS)
                .withoutExemplars()
                .register(registry);
        loads = Histogram.builder()
                .name("smc_model_load_duration_seconds")
                .help("Time to load one instance of a model (a Python worker: spawn, connect and LOAD until READY)")
                .labelNames("model")
                .classicOnly()
                .classicUpperBounds(LOAD_BUCKETS)
                .withoutExemplars()
                .register(registry);
        loadFailures = Counter.builder()
                .name("smc_model_load_failures_total")
                .help("Instance loads that failed")
                .labelNames("model")
                .withoutExemplars()
                .register(registry);
        restarts = Counter.builder()
                .name("smc_python_worker_restarts_total")
                .help(
                        "Python workers replaced: lost (crashed, killed or unresponsive), deadline (killed at the invocation timeout), "
                                + "recycled (SMC_PY_MAX_RSS_MB / SMC_PY_MAX_REQUESTS), load_failed (a load after the model was ready)")
                .labelNames("model", "reason")
                .withoutExemplars()
                .register(registry);
        series = new Map[Route.values().length];
        for (int i = 0; i < series.length; i++) {
            series[i] = new ConcurrentHashMap<>();
        }
        JvmMetrics.builder().register(registry);
    }

    /**
     * The server's gauges, read at scrape time only.
     *
     * @param queued invocations waiting for an inference worker
     * @param inFlight invocations an inference worker is running
     * @param connections open HTTP connections
     * @param instances loaded instances per model (Python: workers READY or BUSY)
     */
    void serverGauges(
            IntSupplier queued,
            IntSupplier inFlight,
            IntSupplier connections,
            Supplier<Map<String, Integer>> instances) {
        GaugeWithCallback.builder()
                .name("smc_inference_queue_depth")
                .help("Invocations waiting for an inference worker (SMC_JOB_QUEUE_SIZE bounds it)")
                .callback(callback -> callback.call(queued.getAsInt()))
                .register(registry);
        GaugeWithCallback.builder()
                .name("smc_inference_in_flight")
                .help("Invocations an inference worker is running")
                .callback(callback -> callback.call(inFlight.getAsInt()))
                .register(registry);
        GaugeWithCallback.builder()
                .name("smc_http_connections")
                .help("Open HTTP connections on the serving port")
                .callback(callback -> callback.call(connections.getAsInt()))
                .register(registry);
        GaugeWithCallback.builder()
                .name("smc_model_instances")
                .help("Loaded instances per model (Python backend: workers READY or BUSY)")
                .labelNames("model")
                .callback(callback -> instances.get().forEach((model, count) -> callback.call(count, model)))
                .register(registry);
    }

    PrometheusRegistry registry() {
        return registry;
    }

    @Override
    public long now() {
        return System.nanoTime();
    }

    @Override
    public void answered(Exchange exchange, int status) {
        Job job = exchange.connection().job(exchange);
        observe(
                Route.of(exchange.uri()),
                job == null ? NO_MODEL : job.model.name(),
                status,
                System.nanoTime() - exchange.startNanos());
    }

    @Override
    public void answeredFast(boolean ping, long startNanos) {
        observe(ping ? Route.PING : Route.EXECUTION_PARAMETERS, NO_MODEL, 200, System.nanoTime() - startNanos);
    }

    private void observe(Route route, String model, int status, long nanos) {
        Series[] byStatus = series[route.ordinal()].get(model);
        if (byStatus == null) {
            byStatus = series[route.ordinal()].computeIfAbsent(model, name -> new Series[600]);
        }
        int index = status >= 100 && status < 600 ? status : 0;
        Series children = byStatus[index];
        if (children == null) {
            children = new Series(
                    requests.labelValues(route.label, model, index == 0 ? "other" : Integer.toString(status)),
                    latency.labelValues(route.label, model));
            byStatus[index] = children;
        }
        children.requests().inc();
        children.latency().observe(nanos / 1e9);
    }

    @Override
    public void instanceLoaded(String model, long nanos) {
        loads.labelValues(model).observe(nanos / 1e9);
    }

    @Override
    public void instanceLoadFailed(String model) {
        loadFailures.labelValues(model).inc();
    }

    @Override
    public void workerRestarted(String model, String reason) {
        restarts.labelValues(model, reason).inc();
    }
}
