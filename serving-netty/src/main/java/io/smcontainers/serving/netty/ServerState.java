package io.smcontainers.serving.netty;

import java.util.Optional;

/** The runtime's readiness, read by {@code /ping} on the event loop; written by start-up and shutdown. */
final class ServerState {
    /** Where the server is in its life. */
    enum Phase {
        LOADING,
        READY,
        FAILED,
        DRAINING
    }

    private volatile Phase phase = Phase.LOADING;
    private volatile Optional<LoadedModel> model = Optional.empty();
    private volatile Optional<String> executionParameters = Optional.empty();
    private volatile Optional<HealthProbe> health = Optional.empty();

    Phase phase() {
        return phase;
    }

    synchronized void phase(Phase next) {
        phase = next;
    }

    boolean draining() {
        return phase == Phase.DRAINING;
    }

    Optional<LoadedModel> model() {
        return model;
    }

    /** LOADING to READY with the model; false (and nothing changed) when the server is already draining or failed. */
    synchronized boolean ready(
            Optional<LoadedModel> loaded, Optional<String> parametersJson, Optional<HealthProbe> healthProbe) {
        if (phase != Phase.LOADING) {
            return false;
        }
        model = loaded;
        executionParameters = parametersJson;
        health = healthProbe;
        phase = Phase.READY;
        return true;
    }

    /** Whether the loaded model can serve: always for Java handlers; for Python workers, some worker is READY or BUSY. */
    boolean modelHealthy() {
        Optional<LoadedModel> loaded = model;
        return loaded.isEmpty() || loaded.get().healthy();
    }

    Optional<String> executionParameters() {
        return executionParameters;
    }

    /** The handler's own health check for {@code /ping}, once READY, if it offers one. */
    Optional<HealthProbe> health() {
        return health;
    }
}
