package io.smcontainers.launcher.distributed;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code mpirun} command of the MPI master (training contract §9.2, STT form).
 *
 * @param hosts the distribution hosts, master first
 * @param processesPerHost processes per host
 * @param numProcesses {@code -np} when given, else processes per host × hosts
 * @param networkInterface the NIC from resourceconfig.json
 * @param customOptions {@code sagemaker_mpi_custom_mpi_options}, whitespace-split
 * @param instanceType the current instance type, for the EFA flags
 * @param environmentNames the names of the variables given to the user process, exported with {@code -x NAME}
 * @param processEnvironment the launcher's environment (AWS credentials present, {@code SM_DLC_TORCH_VERSION})
 * @param modelParallel whether model parallelism is on ({@code mp_parameters} not empty)
 * @param smddpmprun the {@code smddpmprun} path if it is installed and the DDP backend is {@code auto}
 * @param gethostnameLibrary the LD_PRELOAD library that reports the logical host name, if shipped
 * @param program the program part (§7.5 with {@code python3 -m mpi4py})
 */
public record MpiCommand(
        List<String> hosts,
        int processesPerHost,
        Optional<Integer> numProcesses,
        String networkInterface,
        String customOptions,
        String instanceType,
        List<String> environmentNames,
        Map<String, String> processEnvironment,
        boolean modelParallel,
        Optional<String> smddpmprun,
        Optional<String> gethostnameLibrary,
        List<String> program) {

    static final Set<String> EFA_NCCL_INSTANCES = Set.of("ml.g4dn.8xlarge", "ml.g4dn.12xlarge", "ml.g5.48xlarge",
            "ml.p3dn.24xlarge", "ml.p4d.24xlarge", "ml.p4de.24xlarge", "ml.p5.48xlarge", "ml.trn1.32xlarge",
            "ml.p6e-gb200.36xlarge");
    static final Set<String> EFA_RDMA_INSTANCES = Set.of("ml.p4d.24xlarge", "ml.p4de.24xlarge", "ml.trn1.32xlarge",
            "ml.p6e-gb200.36xlarge");
    private static final String NCCL_DEBUG = "--NCCL_DEBUG";

    public MpiCommand {
        hosts = List.copyOf(requireNonNull(hosts, "hosts is null"));
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException("hosts is empty");
        }
        if (processesPerHost < 1) {
            throw new IllegalArgumentException("processesPerHost must be >= 1, got " + processesPerHost);
        }
        requireNonNull(numProcesses, "numProcesses is null");
        requireNonNull(networkInterface, "networkInterface is null");
        requireNonNull(customOptions, "customOptions is null");
        requireNonNull(instanceType, "instanceType is null");
        environmentNames = List.copyOf(requireNonNull(environmentNames, "environmentNames is null"));
        processEnvironment = Map.copyOf(requireNonNull(processEnvironment, "processEnvironment is null"));
        requireNonNull(smddpmprun, "smddpmprun is null");
        requireNonNull(gethostnameLibrary, "gethostnameLibrary is null");
        program = List.copyOf(requireNonNull(program, "program is null"));
    }

    public static boolean isEfaNccl(String instanceType) {
        return EFA_NCCL_INSTANCES.contains(instanceType);
    }

    public static boolean isEfaRdma(String instanceType) {
        return EFA_RDMA_INSTANCES.contains(instanceType);
    }

    public List<String> argv() {
        CustomOptions custom = CustomOptions.parse(customOptions);
        List<String> argv = new ArrayList<>();
        argv.add("mpirun");
        argv.add("--host");
        argv.add(processesPerHost == 1 ? String.join(",", hosts)
                : String.join(",", hosts.stream().map(h -> h + ":" + processesPerHost).toList()));
        argv.add("-np");
        argv.add(Integer.toString(numProcesses.orElse(processesPerHost * hosts.size())));
        argv.addAll(List.of("--allow-run-as-root", "--display-map", "--tag-output",
                "-mca", "btl_tcp_if_include", networkInterface,
                "-mca", "oob_tcp_if_include", networkInterface,
                "-mca", "plm_rsh_no_tree_spawn", "1",
                "-bind-to", "none", "-map-by", "slot",
                "-mca", "pml", "ob1", "-mca", "btl", "^openib", "-mca", "orte_abort_on_non_zero_status", "1",
                "-mca", "btl_vader_single_copy_mechanism", "none",
                "-x", "NCCL_MIN_NRINGS=4", "-x", "NCCL_SOCKET_IFNAME=" + networkInterface,
                "-x", "NCCL_DEBUG=" + custom.ncclDebug(), "-x", "LD_LIBRARY_PATH", "-x", "PATH"));
        gethostnameLibrary.ifPresent(library -> argv.addAll(List.of("-x", "LD_PRELOAD=" + library)));
        argv.addAll(custom.passThrough());
        if (EFA_NCCL_INSTANCES.contains(instanceType)) {
            argv.addAll(List.of("-x", "FI_PROVIDER=efa", "-x", "NCCL_PROTO=simple"));
        }
        if (EFA_RDMA_INSTANCES.contains(instanceType)) {
            argv.addAll(List.of("-x", "FI_EFA_USE_DEVICE_RDMA=1"));
        }
        for (String credential : List.of("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")) {
            if (processEnvironment.containsKey(credential)) {
                argv.addAll(List.of("-x", credential));
            }
        }
        for (String name : environmentNames) {
            argv.addAll(List.of("-x", name));
        }
        if (modelParallel) {
            String torch = processEnvironment.get("SM_DLC_TORCH_VERSION");
            if (torch != null) {
                argv.addAll(List.of("-x", "NCCL_PROTO=simple"));
                if (majorVersion(torch) > 1) {
                    argv.addAll(List.of("-x", "NCCL_ALGO=ring"));
                }
            }
            smddpmprun.ifPresent(path -> argv.addAll(List.of("smddpmprun", "-i", instanceType, "--allow-bypass")));
        }
        argv.addAll(program);
        return argv;
    }

    private static int majorVersion(String version) {
        String major = version.strip().split("\\.", 2)[0];
        try {
            return Integer.parseInt(major);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** {@code --NCCL_DEBUG} (any unambiguous prefix, with a space or {@code =}) and everything else in order. */
    record CustomOptions(String ncclDebug, List<String> passThrough) {
        static CustomOptions parse(String options) {
            String level = "INFO";
            List<String> rest = new ArrayList<>();
            String[] tokens = options.strip().isEmpty() ? new String[0] : options.strip().split("\\s+");
            for (int i = 0; i < tokens.length; i++) {
                String token = tokens[i];
                int equals = token.indexOf('=');
                String flag = equals < 0 ? token : token.substring(0, equals);
                if (flag.length() >= 3 && flag.startsWith("--") && NCCL_DEBUG.startsWith(flag)) {
                    if (equals >= 0) {
                        level = token.substring(equals + 1);
                        continue;
                    }
                    if (i + 1 < tokens.length) {
                        level = tokens[++i];
                        continue;
                    }
                }
                rest.add(token); // includes -h/--help, which the reference would obey by exiting (quirk #33 Fix)
            }
            return new CustomOptions(level, List.copyOf(rest));
        }
    }
}
