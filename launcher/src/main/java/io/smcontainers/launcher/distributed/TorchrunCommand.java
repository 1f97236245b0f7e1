package io.smcontainers.launcher.distributed;

import java.util.ArrayList;
import java.util.List;

/** The {@code torchrun} command (training contract §9.8), run on every host. */
public final class TorchrunCommand {
    static final int MASTER_PORT = 7777;

    private TorchrunCommand() {}

    /**
     * @param hosts the distribution hosts, master first
     * @param currentHost this host, for {@code --node_rank}
     * @param neuronParallelCompile whether {@code RUN_NEURON_PARALLEL_COMPILE=1}
     */
    public static List<String> argv(
            List<String> hosts,
            String currentHost,
            int processesPerHost,
            boolean neuronParallelCompile,
            String entryPoint,
            List<String> args) {
        List<String> argv = new ArrayList<>();
        if (neuronParallelCompile) {
            argv.add("neuron_parallel_compile");
        }
        argv.addAll(List.of(
                "torchrun",
                "--nnodes",
                Integer.toString(hosts.size()),
                "--nproc_per_node",
                Integer.toString(processesPerHost)));
        if (hosts.size() > 1) {
            int rank = hosts.indexOf(currentHost);
            if (rank < 0) {
                throw new IllegalArgumentException(
                        "the current host " + currentHost + " is not one of the distribution hosts " + hosts);
            }
            argv.addAll(List.of(
                    "--master_addr",
                    hosts.get(0),
                    "--master_port",
                    Integer.toString(MASTER_PORT),
                    "--node_rank",
                    Integer.toString(rank)));
        }
        argv.add(entryPoint);
        argv.addAll(args);
        return argv;
    }
}
