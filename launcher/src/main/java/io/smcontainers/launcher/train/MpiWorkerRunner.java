package io.smcontainers.launcher.train;

import static java.util.Objects.requireNonNull;

import io.smcontainers.launcher.distributed.MpiWorker;
import io.smcontainers.launcher.process.StopSignal;

/**
 * {@code MPI} on a host other than the master (training contract §9.3): serves the master's {@code mpirun} over SSH
 * until the master's run is over; the entry point runs as the ranks {@code mpirun} starts here.
 */
final class MpiWorkerRunner implements Runner {
    private final String master;
    private final StopSignal stop;

    MpiWorkerRunner(String master, StopSignal stop) {
        this.master = requireNonNull(master, "master is null");
        this.stop = requireNonNull(stop, "stop is null");
    }

    @Override
    public void run(PreparedEntryPoint entry) {
        MpiWorker.standard(stop).run(master, entry.environment());
    }
}
