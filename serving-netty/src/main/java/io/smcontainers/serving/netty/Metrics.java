package io.smcontainers.serving.netty;

/**
 * What the server records: every answer at its one completion point ({@link Responses}, plus {@link FastPath}'s
 * pre-encoded ones) and the model life cycle ({@link LoadedModel}). {@link #NONE} unless {@code SMC_METRICS_PORT} is set:
 * its methods are empty, so with metrics off the request path pays one inlined call that does nothing (no clock read, no
 * look-up, no allocation). {@link PrometheusMetrics} is the other implementation.
 */
interface Metrics {
    /** Records nothing. */
    Metrics NONE = new None();

    /** A start time for {@link #answeredFast}: {@link System#nanoTime()} when recording, else 0 without reading the clock. */
    long now();

    /** An answer with this status was written (or dropped on a closed connection) for {@code exchange}. */
    void answered(Exchange exchange, int status);

    /** {@link FastPath} answered a healthy ping ({@code ping}) or the execution parameters with 200, started at {@code startNanos}. */
    void answeredFast(boolean ping, long startNanos);

    /** An instance of {@code model} (a Python worker: spawned, connected and through LOAD) loaded in {@code nanos}. */
    void instanceLoaded(String model, long nanos);

    /** Loading an instance of {@code model} failed. */
    void instanceLoadFailed(String model);

    /** A Python worker of {@code model} is being replaced; {@code reason}: {@code lost}, {@code deadline}, {@code recycled} or {@code load_failed}. */
    void workerRestarted(String model, String reason);

    /** The no-op recorder. */
    final class None implements Metrics {
        private None() {}

        @Override
        public long now() {
            return 0;
        }

        @Override
        public void answered(Exchange exchange, int status) {
            // off
        }

        @Override
        public void answeredFast(boolean ping, long startNanos) {
            // off
        }

        @Override
        public void instanceLoaded(String model, long nanos) {
            // off
        }

        @Override
        public void instanceLoadFailed(String model) {
            // off
        }

        @Override
        public void workerRestarted(String model, String reason) {
            // off
        }
    }
}
