package io.smcontainers.intermediate.sync;

/** Starts an {@link IntermediateSync}; injected into the trainer so that tests can substitute their own. */
@FunctionalInterface
public interface SyncStarter {
    IntermediateSync start(SyncSettings settings);
}
