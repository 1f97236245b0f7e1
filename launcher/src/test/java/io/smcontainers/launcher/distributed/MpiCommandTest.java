package io.smcontainers.launcher.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MpiCommandTest {
    @Test
    void referenceTestExampleWithEfaCredentialsAndCustomOptions() {
        MpiCommand command = MpiCommand.builder()
                .hosts(List.of("algo-1", "algo-2"))
                .processesPerHost(2)
                .networkInterface("ethw3")
                .customOptions("-v --lr 35")
                .instanceType("ml.p4d.24xlarge")
                .environmentNames(List.of("LD_CONFIG_PATH"))
                .processEnvironment(Map.of("AWS_ACCESS_KEY_ID", "x", "AWS_SESSION_TOKEN", "t"))
                .gethostnameLibrary(Optional.of("/lib/libchangehostname.so"))
                .program(List.of("/bin/sh", "-c", "./train.sh -v --lr 35"))
                .build();
        assertEquals(
                String.join(
                        " ",
                        "mpirun --host algo-1:2,algo-2:2 -np 4 --allow-run-as-root --display-map --tag-output",
                        "-mca btl_tcp_if_include ethw3 -mca oob_tcp_if_include ethw3 -mca plm_rsh_no_tree_spawn 1",
                        "-bind-to none -map-by slot -mca pml ob1 -mca btl ^openib -mca orte_abort_on_non_zero_status 1",
                        "-mca btl_vader_single_copy_mechanism none -x NCCL_MIN_NRINGS=4 -x NCCL_SOCKET_IFNAME=ethw3 -x NCCL_DEBUG=INFO",
                        "-x LD_LIBRARY_PATH -x PATH -x LD_PRELOAD=/lib/libchangehostname.so -v --lr 35",
                        "-x FI_PROVIDER=efa -x NCCL_PROTO=simple -x FI_EFA_USE_DEVICE_RDMA=1",
                        "-x AWS_ACCESS_KEY_ID -x AWS_SESSION_TOKEN -x LD_CONFIG_PATH /bin/sh -c ./train.sh -v --lr 35"),
                String.join(" ", command.argv()));
    }

    @Test
    void singleProcessPerHostListsPlainHostsAndExplicitProcessCount() {
        MpiCommand command = MpiCommand.builder()
                .hosts(List.of("a", "b"))
                .processesPerHost(1)
                .numProcesses(Optional.of(3))
                .networkInterface("eth0")
                .instanceType("local")
                .program(List.of("p"))
                .build();
        assertEquals(
                List.of("mpirun", "--host", "a,b", "-np", "3"), command.argv().subList(0, 5));
    }

    @Test
    void theBuilderNamesWhatIsMissingOrOutOfRange() {
        NullPointerException missing = assertThrows(
                NullPointerException.class,
                () -> MpiCommand.builder()
                        .hosts(List.of("a"))
                        .instanceType("local")
                        .program(List.of("p"))
                        .build());
        assertEquals("networkInterface is not set", missing.getMessage());
        IllegalArgumentException empty = assertThrows(
                IllegalArgumentException.class,
                () -> MpiCommand.builder()
                        .hosts(List.of())
                        .networkInterface("eth0")
                        .instanceType("local")
                        .program(List.of("p"))
                        .build());
        assertEquals("hosts is empty", empty.getMessage());
        IllegalArgumentException zero = assertThrows(
                IllegalArgumentException.class,
                () -> MpiCommand.builder()
                        .hosts(List.of("a"))
                        .processesPerHost(0)
                        .networkInterface("eth0")
                        .instanceType("local")
                        .program(List.of("p"))
                        .build());
        assertEquals("processesPerHost must be >= 1, got 0", zero.getMessage());
    }

    @Test
    void ncclDebugOptionIsParsedInEveryFormAndHelpPassesThrough() {
        assertEquals(
                new MpiCommand.CustomOptions("WARN", List.of("-x", "FOO=1", "--verbose")),
                MpiCommand.CustomOptions.parse("-x FOO=1 --NCCL_DEBUG WARN --verbose"));
        assertEquals(
                new MpiCommand.CustomOptions("TRACE", List.of()), MpiCommand.CustomOptions.parse("--NCCL_DEBUG=TRACE"));
        assertEquals(
                new MpiCommand.CustomOptions("VERSION", List.of("-h")),
                MpiCommand.CustomOptions.parse(" --NCCL  VERSION  -h "));
        assertEquals(new MpiCommand.CustomOptions("INFO", List.of()), MpiCommand.CustomOptions.parse(""));
    }

    @Test
    void modelParallelAddsNcclFlagsAndSmddpmprun() {
        MpiCommand command = MpiCommand.builder()
                .hosts(List.of("a"))
                .networkInterface("eth0")
                .instanceType("ml.p3.16xlarge")
                .environmentNames(List.of("SM_HOSTS"))
                .processEnvironment(Map.of("SM_DLC_TORCH_VERSION", "2.1.0"))
                .modelParallel(true)
                .smddpmprun(true)
                .program(List.of("prog"))
                .build();
        String line = String.join(" ", command.argv());
        assertEquals(
                true,
                line.endsWith(
                        "-x SM_HOSTS -x NCCL_PROTO=simple -x NCCL_ALGO=ring smddpmprun -i ml.p3.16xlarge --allow-bypass prog"),
                line);
    }

    @Test
    void torchrunCommandForOneAndManyHosts() {
        assertEquals(
                List.of("torchrun", "--nnodes", "1", "--nproc_per_node", "8", "train.py", "--lr", "1"),
                TorchrunCommand.argv(List.of("algo-1"), "algo-1", 8, false, "train.py", List.of("--lr", "1")));
        assertEquals(
                List.of(
                        "neuron_parallel_compile",
                        "torchrun",
                        "--nnodes",
                        "2",
                        "--nproc_per_node",
                        "2",
                        "--master_addr",
                        "algo-1",
                        "--master_port",
                        "7777",
                        "--node_rank",
                        "1",
                        "train.py"),
                TorchrunCommand.argv(List.of("algo-1", "algo-2"), "algo-2", 2, true, "train.py", List.of()));
    }
}
