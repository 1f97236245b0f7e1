package io.smcontainers.launcher.distributed;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code mpirun} command of the MPI master (training contract §9.2, STT form), built with {@link #builder()}.
 * Only the hosts, the network interface, the instance type and the program are required.
 */
public final class MpiCommand {
    static final Set<String> EFA_NCCL_INSTANCES = Set.of(
            "ml.g4dn.8xlarge",
            "ml.g4dn.12xlarge",
            "ml.g5.48xlarge",
            "ml.p3dn.24xlarge",
            "ml.p4d.24xlarge",
            "ml.p4de.24xlarge",
            "ml.p5.48xlarge",
            "ml.trn1.32xlarge",
            "ml.p6e-gb200.36xlarge");
    static final Set<String> EFA_RDMA_INSTANCES =
            Set.of("ml.p4d.24xlarge", "ml.p4de.24xlarge", "ml.trn1.32xlarge", "ml.p6e-gb200.36xlarge");
    private static final String NCCL_DEBUG = "--NCCL_DEBUG";

    private final List<String> hosts;
    private final int processesPerHost;
    private final Optional<Integer> numProcesses;
    private final String networkInterface;
    private final String customOptions;
    private final String instanceType;
    private final List<String> environmentNames;
    private final Map<String, String> processEnvironment;
    private final boolean modelParallel;
    private final boolean smddpmprun;
    private final Optional<String> gethostnameLibrary;
    private final List<String> program;

    private MpiCommand(Builder builder) {
        hosts = List.copyOf(requireNonNull(builder.hosts, "hosts is not set"));
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException("hosts is empty");
        }
        processesPerHost = builder.processesPerHost;
        if (processesPerHost < 1) {
            throw new IllegalArgumentException("processesPerHost must be >= 1, got " + processesPerHost);
        }
        numProcesses = builder.numProcesses;
        networkInterface = requireNonNull(builder.networkInterface, "networkInterface is not set");
        customOptions = builder.customOptions;
        instanceType = requireNonNull(builder.instanceType, "instanceType is not set");
        environmentNames = List.copyOf(builder.environmentNames);
        processEnvironment = Map.copyOf(builder.processEnvironment);
        modelParallel = builder.modelParallel;
        smddpmprun = builder.smddpmprun;
        gethostnameLibrary = builder.gethostnameLibrary;
        program = List.copyOf(requireNonNull(builder.program, "program is not set"));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The parts of the command; each setter replaces the value, {@link #build()} checks them. */
    public static final class Builder {
        private List<String> hosts;
        private int processesPerHost = 1;
        private Optional<Integer> numProcesses = Optional.empty();
        private String networkInterface;
        private String customOptions = "";
        private String instanceType;
        private List<String> environmentNames = List.of();
        private Map<String, String> processEnvironment = Map.of();
        private boolean modelParallel;
        private boolean smddpmprun;
        private Optional<String> gethostnameLibrary = Optional.empty();
        private List<String> program;

        private Builder() {}

        /** The distribution hosts, master first (required, not empty). */
        public Builder hosts(List<String> value) {
            hosts = requireNonNull(value, "hosts is null");
            return this;
        }

        /** Processes per host (default 1). */
        public Builder processesPerHost(int value) {
            processesPerHost = value;
            return this;
        }

        /** {@code -np} when given, else processes per host × hosts (the default). */
        public Builder numProcesses(Optional<Integer> value) {
            numProcesses = requireNonNull(value, "numProcesses is null");
            return this;
        }

        /** The NIC from resourceconfig.json (required). */
        public Builder networkInterface(String value) {
            networkInterface = requireNonNull(value, "networkInterface is null");
            return this;
        }

        /** {@code sagemaker_mpi_custom_mpi_options}, whitespace-split (default none). */
        public Builder customOptions(String value) {
            customOptions = requireNonNull(value, "customOptions is null");
            return this;
        }

        /** The current instance type, for the EFA flags and {@code smddpmprun -i} (required). */
        public Builder instanceType(String value) {
            instanceType = requireNonNull(value, "instanceType is null");
            return this;
        }

        /** The names of the variables given to the user process, exported with {@code -x NAME} (default none). */
        public Builder environmentNames(List<String> value) {
            environmentNames = requireNonNull(value, "environmentNames is null");
            return this;
        }

        /** The launcher's environment: AWS credentials present, {@code SM_DLC_TORCH_VERSION} (default empty). */
        public Builder processEnvironment(Map<String, String> value) {
            processEnvironment = requireNonNull(value, "processEnvironment is null");
            return this;
        }

        /** Whether model parallelism is on ({@code mp_parameters} not empty; default off). */
        public Builder modelParallel(boolean value) {
            modelParallel = value;
            return this;
        }

        /** Whether to run the ranks through {@code smddpmprun} under model parallelism: installed, DDP backend {@code auto}. */
        public Builder smddpmprun(boolean value) {
            smddpmprun = value;
            return this;
        }

        /** The LD_PRELOAD library that reports the logical host name, if shipped (default none). */
        public Builder gethostnameLibrary(Optional<String> value) {
            gethostnameLibrary = requireNonNull(value, "gethostnameLibrary is null");
            return this;
        }

        /** The program part (§7.5 with {@code python3 -m mpi4py}; required). */
        public Builder program(List<String> value) {
            program = requireNonNull(value, "program is null");
            return this;
        }

        public MpiCommand build() {
            return new MpiCommand(this);
        }
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
        argv.add(
                processesPerHost == 1
                        ? String.join(",", hosts)
                        : String.join(
                                ",",
                                hosts.stream()
                                        .map(h -> h + ":" + processesPerHost)
                                        .toList()));
        argv.add("-np");
        argv.add(Integer.toString(numProcesses.orElse(processesPerHost * hosts.size())));
        argv.addAll(List.of(
                "--allow-run-as-root",
                "--display-map",
                "--tag-output",
                "-mca",
                "btl_tcp_if_include",
                networkInterface,
                "-mca",
                "oob_tcp_if_include",
                networkInterface,
                "-mca",
                "plm_rsh_no_tree_spawn",
                "1",
                "-bind-to",
                "none",
                "-map-by",
                "slot",
                "-mca",
                "pml",
                "ob1",
                "-mca",
                "btl",
                "^openib",
                "-mca",
                "orte_abort_on_non_zero_status",
                "1",
                "-mca",
                "btl_vader_single_copy_mechanism",
                "none",
                "-x",
                "NCCL_MIN_NRINGS=4",
                "-x",
                "NCCL_SOCKET_IFNAME=" + networkInterface,
                "-x",
                "NCCL_DEBUG=" + custom.ncclDebug(),
                "-x",
                "LD_LIBRARY_PATH",
                "-x",
                "PATH"));
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
            if (smddpmprun) {
                argv.addAll(List.of("smddpmprun", "-i", instanceType, "--allow-bypass"));
            }
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
            String[] tokens =
                    options.strip().isEmpty() ? new String[0] : options.strip().split("\\s+");
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
