package io.smcontainers.launcher.train;

import io.smcontainers.framework.spi.UserCodeException;

/**
 * One way of running the prepared entry point on this host; {@link EntryPointService#runner} picks one per run from
 * {@link io.smcontainers.framework.spi.RunOptions.Runner} (training contract §9.1).
 */
sealed interface Runner permits PlainRunner, MpiMasterRunner, MpiWorkerRunner, TorchrunRunner {
    /** Runs the entry point and returns when this host's part of the run is over. */
    void run(PreparedEntryPoint entry) throws UserCodeException;
}
