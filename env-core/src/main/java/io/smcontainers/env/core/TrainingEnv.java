package io.smcontainers.env.core;

import static java.util.Objects.requireNonNull;

import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training environment of one job, built once per run from the job folder, the process environment
 * and the hardware, with every property of the reference toolkit (sagemaker-training 5.x, a superset of
 * sagemaker-containers). Immutable. {@link #envVars()} and {@link #cmdArgs()} are exactly what the
 * reference exports to the user process.
 */
public final class TrainingEnv {
    private static final Logger log = LoggerFactory.getLogger(TrainingEnv.class);

    static final String DEFAULT_INSTANCE_GROUP = "homogeneousCluster";
    static final Set<String> RESERVED = Set.of(
            "sagemaker_program", "sagemaker_submit_directory", "sagemaker_enable_cloudwatch_metrics", "sagemaker_region",
            "sagemaker_container_log_level", "sagemaker_job_name", "default_user_module_name", "_tuning_objective_metric",
            "sagemaker_s3_output");
    static final List<String> DISTRIBUTION_FLAGS = List.of(
            "sagemaker_mpi_enabled", "sagemaker_parameter_server_enabled", "sagemaker_distributed_dataparallel_enabled",
            "sagemaker_pytorch_ddp_enabled", "sagemaker_pytorch_xla_multi_worker_enabled",
            "sagemaker_multi_worker_mirrored_strategy_enabled", "sagemaker_torch_distributed_enabled");

    private final JobPaths paths;
    private final Optional<Path> fallbackBase;
    private final Map<String, Object> properties;
    private final Map<String, String> envVars;
    private final List<String> cmdArgs;
    private final Map<String, String> toolkitVariables;
    private final Map<String, Object> hyperparameters;
    private final Map<String, Object> sagemakerHyperparameters;
    private final Map<String, Object> frameworkParameters;
    private final int effectiveLogLevel;

    private TrainingEnv(Builder b) {
        this.paths = b.paths;
        this.fallbackBase = b.fallbackBase;
        this.properties = b.properties;
        this.hyperparameters = b.hyperparameters;
        this.sagemakerHyperparameters = b.sagemakerHyperparameters;
        this.frameworkParameters = b.frameworkParameters;
        this.cmdArgs = CommandLine.toCmdArgs(hyperparameters);
        this.envVars = EnvVars.build(paths, properties, cmdArgs, hyperparameters, b.hyperparameterSources);
        this.toolkitVariables = b.toolkitVariables;
        this.effectiveLogLevel = b.effectiveLogLevel;
    }

    /**
     * Builds the environment for this process: resolves the base dir (local fallback included), reads the
     * three config files, decodes hyperparameters and probes the hardware.
     *
     * @throws EnvironmentException when the job folder or environment cannot describe a job
     */
    public static TrainingEnv read(Map<String, String> processEnvironment, HardwareInfo hardware) {
        return read(processEnvironment, hardware, BaseDir.resolve(processEnvironment));
    }

    /** As {@link #read(Map, HardwareInfo)} with an already resolved base dir. */
    public static TrainingEnv read(Map<String, String> processEnvironment, HardwareInfo hardware, BaseDir baseDir) {
        requireNonNull(processEnvironment, "processEnvironment is null");
        requireNonNull(hardware, "hardware is null");
        return new Builder(processEnvironment, hardware, baseDir).build();
    }

    public JobPaths paths() {
        return paths;
    }

    /** The base dir the local fallback created, if it ran. */
    public Optional<Path> fallbackBase() {
        return fallbackBase;
    }

    /** Every property of the reference environment object, by its reference name, in code-point order. */
    public Map<String, Object> properties() {
        return properties;
    }

    /** Whether model parallelism is on: Python truthiness of {@code is_modelparallel_enabled} (training contract §3.4). */
    public boolean modelParallelEnabled() {
        return PyValues.truthy(properties.get("is_modelparallel_enabled"));
    }

    /** {@code SM_TRAINING_ENV}'s value: the properties as Python-compatible JSON. */
    public String toJson() {
        return PyJson.dumps(properties);
    }

    /** Every {@code SM_*} variable, in the reference's build order. */
    public Map<String, String> envVars() {
        return envVars;
    }

    /** The command-line arguments for the user entry point. */
    public List<String> cmdArgs() {
        return cmdArgs;
    }

    /**
     * The non-{@code SM_} variables the toolkit sets in its own process environment: {@code SAGEMAKER_JOB_NAME},
     * {@code CURRENT_HOST}, {@code SAGEMAKER_REGION}, and {@code SAGEMAKER_BASE_DIR} after a local fallback.
     */
    public Map<String, String> toolkitVariables() {
        return toolkitVariables;
    }

    /** User hyperparameters, decoded, in file order. */
    public Map<String, Object> hyperparameters() {
        return hyperparameters;
    }

    /** The reserved and {@code sagemaker_*} hyperparameters, decoded, in file order. */
    public Map<String, Object> sagemakerHyperparameters() {
        return sagemakerHyperparameters;
    }

    /** {@code SM_FRAMEWORK_PARAMS}: the {@code sagemaker_*} hyperparameters that are not reserved. */
    public Map<String, Object> frameworkParameters() {
        return frameworkParameters;
    }

    public Optional<String> userEntryPoint() {
        Object value = properties.get("user_entry_point");
        return value == null ? Optional.empty() : Optional.of(PyValues.str(value));
    }

    public String moduleName() {
        return (String) properties.get("module_name");
    }

    /** Where the user code comes from: an S3 URI, a local directory, tarball or file. */
    public String moduleDir() {
        return (String) properties.get("module_dir");
    }

    /** {@code is_smddpmprun_installed}: whether {@code smddpmprun} is on the {@code PATH} (looked up once, by the probe). */
    public boolean smddpmprunInstalled() {
        return (Boolean) properties.get("is_smddpmprun_installed");
    }

    public Optional<String> frameworkModule() {
        return Optional.ofNullable((String) properties.get("framework_module"));
    }

    /** The log level as a number the toolkit can use (invalid values fall back to 20 with a warning). */
    public int logLevel() {
        return effectiveLogLevel;
    }

    public String currentHost() {
        return (String) properties.get("current_host");
    }

    public List<String> hosts() {
        return strings(properties.get("hosts"));
    }

    public List<String> distributionHosts() {
        return strings(properties.get("distribution_hosts"));
    }

    public String masterHostname() {
        return (String) properties.get("master_hostname");
    }

    public boolean isMaster() {
        return (Boolean) properties.get("is_master");
    }

    public String networkInterfaceName() {
        return PyValues.str(properties.get("network_interface_name"));
    }

    public int numGpus() {
        return (Integer) properties.get("num_gpus");
    }

    public int numCpus() {
        return (Integer) properties.get("num_cpus");
    }

    public int numNeurons() {
        return (Integer) properties.get("num_neurons");
    }

    public String currentInstanceType() {
        return PyValues.str(properties.get("current_instance_type"));
    }

    public String currentInstanceGroup() {
        return PyValues.str(properties.get("current_instance_group"));
    }

    public List<String> distributionInstanceGroups() {
        Object value = properties.get("distribution_instance_groups");
        if (value instanceof List<?> list) {
            List<String> out = new ArrayList<>();
            list.forEach(item -> out.add(PyValues.str(item)));
            return List.copyOf(out);
        }
        return List.of(PyValues.str(value));
    }

    /** {@code TRAINING_JOB_NAME} from the platform. */
    public Optional<String> jobName() {
        return Optional.ofNullable((String) properties.get("job_name"));
    }

    /** {@code SAGEMAKER_REGION} as the toolkit exports it (may be empty). */
    public String region() {
        return toolkitVariables.get("SAGEMAKER_REGION");
    }

    private static List<String> strings(Object value) {
        List<String> out = new ArrayList<>();
        ((List<?>) value).forEach(item -> out.add(PyValues.str(item)));
        return Collections.unmodifiableList(out);
    }

    /** Reads and derives everything once, in the reference's order. */
    private static final class Builder {
        private final Map<String, String> environment;
        private final HardwareInfo hardware;
        private final JobPaths paths;
        private final Optional<Path> fallbackBase;
        private Map<String, Object> properties;
        private Map<String, Object> hyperparameters;
        private Map<String, Object> sagemakerHyperparameters;
        private Map<String, Object> frameworkParameters;
        private Map<String, String> toolkitVariables;
        private final Map<String, Path> hyperparameterSources = new LinkedHashMap<>();
        private int effectiveLogLevel = 20;

        Builder(Map<String, String> environment, HardwareInfo hardware, BaseDir baseDir) {
            this.environment = environment;
            this.hardware = hardware;
            this.paths = baseDir.paths();
            this.fallbackBase = baseDir.fallback();
        }

        TrainingEnv build() {
            Path resourceFile = paths.resourceConfigFile();
            Map<String, Object> resourceConfig = ConfigFiles.readObject(resourceFile);
            Map<String, Object> inputDataConfig = ConfigFiles.readObject(paths.inputDataConfigFile());
            Map<String, Object> rawHyperparameters = ConfigFiles.readObject(paths.hyperparametersFile());

            String currentHost = requiredString(resourceFile, resourceConfig, "current_host");
            List<String> hosts = requiredHosts(resourceFile, resourceConfig);

            Hyperparameters decoded = Hyperparameters.decode(paths.hyperparametersFile(), rawHyperparameters);
            hyperparameters = decoded.user();
            sagemakerHyperparameters = decoded.sagemaker();
            frameworkParameters = decoded.framework();

            Object networkInterface = resourceConfig.getOrDefault("network_interface_name", "eth0");
            Object currentInstanceType = resourceConfig.getOrDefault("current_instance_type", "local");
            Object currentGroup = resourceConfig.getOrDefault("current_group_name", DEFAULT_INSTANCE_GROUP);
            List<Map<String, Object>> groups = instanceGroups(resourceFile, resourceConfig);

            List<Object> groupNames = new ArrayList<>();
            Map<String, Object> groupsByName = new LinkedHashMap<>();
            List<Object> currentGroupHosts = List.of();
            for (Map<String, Object> group : groups) {
                groupNames.add(group.get("instance_group_name"));
                groupsByName.put((String) group.get("instance_group_name"), group);
            }
            for (Map<String, Object> group : groups) {
                if (group.get("instance_group_name").equals(currentGroup)) {
                    currentGroupHosts = list(group.get("hosts"));
                    break;
                }
            }
            boolean isHetero = groups.size() > 1;

            Object distributionGroups = distributionInstanceGroups(currentGroup);
            List<Object> distributionHosts = new ArrayList<>();
            if (!groups.isEmpty()) {
                for (Map<String, Object> group : groups) {
                    if (pythonIn(group.get("instance_group_name"), distributionGroups, resourceFile)) {
                        distributionHosts.addAll(list(group.get("hosts")));
                    }
                }
            }
            else {
                distributionHosts.addAll(hosts);
            }
            String masterHostname = distributionHosts.isEmpty() ? hosts.get(0) : PyValues.str(distributionHosts.get(0));

            Object topology = resourceConfig.getOrDefault("topology", List.of());

            // entry point and module (§7.1)
            String programVariable = environment.get("SAGEMAKER_PROGRAM");
            Object userEntryPoint = (programVariable != null && !programVariable.isEmpty())
                    ? programVariable
                    : sagemakerHyperparameters.get("sagemaker_program");
            String moduleName = programVariable != null
                    ? programVariable
                    : PyValues.str(sagemakerHyperparameters.get("sagemaker_program"));
            if (moduleName.endsWith(".py")) {
                moduleName = moduleName.substring(0, moduleName.length() - 3);
            }
            String moduleDir = sagemakerHyperparameters.containsKey("sagemaker_submit_directory")
                    ? PyValues.str(sagemakerHyperparameters.get("sagemaker_submit_directory"))
                    : paths.code().toString();

            checkLogLevelVariable();
            Object logLevel = sagemakerHyperparameters.getOrDefault("sagemaker_container_log_level", BigInteger.valueOf(20));
            effectiveLogLevel = effectiveLogLevel(logLevel);

            int gpus = hardware.gpuCount();
            int neurons = hardware.neuronCoreCount(PyValues.str(currentInstanceType));
            int cpus = hardware.cpuCount();

            Map<String, Object> channelDirs = new LinkedHashMap<>();
            for (String channel : inputDataConfig.keySet()) {
                channelDirs.put(channel, paths.channel(channel));
            }

            warnAboutFlags();
            Object interfaceParameter = frameworkParameters.get("sagemaker_network_interface_name");
            if (interfaceParameter != null && !interfaceParameter.equals(networkInterface)) {
                log.warn("Hyperparameter sagemaker_network_interface_name={} is ignored: the network interface comes from "
                        + "resourceconfig.json ({}), as in the reference toolkits", interfaceParameter, networkInterface);
            }

            Map<String, Object> p = new TreeMap<>(CodePointOrder.INSTANCE);
            p.put("additional_framework_parameters", frameworkParameters);
            p.put("channel_input_dirs", Collections.unmodifiableMap(channelDirs));
            p.put("current_host", currentHost);
            p.put("current_instance_group", currentGroup);
            p.put("current_instance_group_hosts", currentGroupHosts);
            p.put("current_instance_type", currentInstanceType);
            p.put("distribution_hosts", Collections.unmodifiableList(distributionHosts));
            p.put("distribution_instance_groups", distributionGroups);
            p.put("framework_module", environment.get("SAGEMAKER_TRAINING_MODULE"));
            p.put("hosts", hosts);
            p.put("hyperparameters", hyperparameters);
            p.put("input_config_dir", paths.inputConfig().toString());
            p.put("input_data_config", inputDataConfig);
            p.put("input_dir", paths.input().toString());
            p.put("instance_groups", Collections.unmodifiableList(groupNames));
            p.put("instance_groups_dict", Collections.unmodifiableMap(groupsByName));
            p.put("is_hetero", isHetero);
            p.put("is_master", currentHost.equals(masterHostname));
            p.put("is_modelparallel_enabled", modelParallelEnabled());
            p.put("is_smddpmprun_installed", hardware.isOnPath("smddpmprun"));
            p.put("is_smddprun_installed", hardware.isOnPath("smddprun"));
            p.put("job_name", environment.get("TRAINING_JOB_NAME"));
            p.put("log_level", logLevel);
            p.put("master_hostname", masterHostname);
            p.put("model_dir", paths.model().toString());
            p.put("module_dir", moduleDir);
            p.put("module_name", moduleName);
            p.put("network_interface_name", networkInterface);
            p.put("num_cpus", cpus);
            p.put("num_gpus", gpus);
            p.put("num_neurons", neurons);
            p.put("output_data_dir", paths.outputData().toString());
            p.put("output_dir", paths.output().toString());
            p.put("output_intermediate_dir", paths.intermediate().toString());
            p.put("resource_config", resourceConfig);
            p.put("topology", topology);
            p.put("user_entry_point", userEntryPoint);
            properties = Collections.unmodifiableMap(p);

            for (String key : hyperparameters.keySet()) {
                hyperparameterSources.put(key, paths.hyperparametersFile());
            }

            Map<String, String> toolkit = new LinkedHashMap<>();
            if (fallbackBase.isPresent()) {
                toolkit.put(BaseDir.BASE_DIR_VARIABLE, fallbackBase.get().toString());
            }
            Object jobName = sagemakerHyperparameters.get("sagemaker_job_name");
            toolkit.put("SAGEMAKER_JOB_NAME", jobName == null ? "" : PyValues.str(jobName));
            toolkit.put("CURRENT_HOST", currentHost);
            Object region = sagemakerHyperparameters.get("sagemaker_region");
            toolkit.put("SAGEMAKER_REGION", region != null ? PyValues.str(region) : defaultRegion());
            toolkitVariables = Collections.unmodifiableMap(toolkit);
            return new TrainingEnv(this);
        }

        private String defaultRegion() {
            for (String name : List.of("AWS_DEFAULT_REGION", "AWS_REGION")) {
                String value = environment.get(name);
                if (value != null && !value.isEmpty()) {
                    return value;
                }
            }
            return "";
        }

        private Object distributionInstanceGroups(Object currentGroup) {
            if (frameworkParameters.containsKey("sagemaker_distribution_instance_groups")) {
                return frameworkParameters.get("sagemaker_distribution_instance_groups");
            }
            for (String flag : DISTRIBUTION_FLAGS) {
                if (PyValues.truthy(frameworkParameters.get(flag))) {
                    return Collections.singletonList(currentGroup);
                }
            }
            return List.of();
        }

        /** Python's {@code x in container} for the shapes a hyperparameter can take. */
        private boolean pythonIn(Object item, Object container, Path resourceFile) {
            if (container instanceof List<?> list) {
                return list.contains(item);
            }
            if (container instanceof Map<?, ?> map) {
                return map.containsKey(item);
            }
            if (container instanceof String text && item instanceof String name) {
                return text.contains(name);
            }
            throw EnvironmentException.inFile(paths.hyperparametersFile(), "sagemaker_distribution_instance_groups",
                    "must be a list of instance group names, found " + ConfigFiles.describeType(container)
                            + " (" + PyValues.repr(container) + ")");
        }

        /**
         * The reference's {@code value and value != "{}"} over {@code SM_HP_MP_PARAMETERS} (null when absent, {@code ""}
         * when empty, else a boolean), with the value taken from the mp_parameters hyperparameter when the job has one
         * (fix of §13 #24: not dependent on what was exported before), else from the platform's variable. This is the one
         * model-parallel rule: the MPI runner reads it through {@link TrainingEnv#modelParallelEnabled()}.
         */
        private Object modelParallelEnabled() {
            String value = hyperparameters.containsKey("mp_parameters")
                    ? EnvVars.format(hyperparameters.get("mp_parameters")) : environment.get("SM_HP_MP_PARAMETERS");
            if (value == null || value.isEmpty()) {
                return value;
            }
            return !"{}".equals(value);
        }

        private void checkLogLevelVariable() {
            String value = environment.get("SAGEMAKER_CONTAINER_LOG_LEVEL");
            if (value != null) {
                try {
                    Integer.parseInt(value.strip());
                }
                catch (NumberFormatException e) {
                    // The reference crashes at start-up on this; it never uses the value, so we only warn (§13 #16).
                    log.warn("Ignoring SAGEMAKER_CONTAINER_LOG_LEVEL={}: not an integer (use 10, 20, 30, 40 or 50)", value);
                }
            }
        }

        private static int effectiveLogLevel(Object logLevel) {
            if (logLevel instanceof BigInteger integer && integer.bitLength() < 31) {
                return integer.intValue();
            }
            if (logLevel instanceof String text) {
                try {
                    return Integer.parseInt(text.strip());
                }
                catch (NumberFormatException e) {
                    // fall through to the warning
                }
            }
            log.warn("Hyperparameter sagemaker_container_log_level={} is not an integer log level; using 20 (INFO)",
                    PyValues.repr(logLevel));
            return 20;
        }

        private void warnAboutFlags() {
            for (String flag : DISTRIBUTION_FLAGS) {
                Object value = frameworkParameters.get(flag);
                if (value instanceof String text && !text.isEmpty()) {
                    log.warn("Hyperparameter {} is the string {}, which counts as true (Python truthiness, as in the reference "
                            + "toolkits); write true or false without quotes", flag, PyValues.repr(text));
                }
            }
        }

        private static String requiredString(Path file, Map<String, Object> config, String key) {
            if (!config.containsKey(key)) {
                throw EnvironmentException.inFile(file, key, "missing; it names this container (e.g. \"algo-1\")");
            }
            Object value = config.get(key);
            if (!(value instanceof String text)) {
                throw EnvironmentException.inFile(file, key, "must be a string, found " + ConfigFiles.describeType(value));
            }
            return text;
        }

        private static List<String> requiredHosts(Path file, Map<String, Object> config) {
            if (!config.containsKey("hosts")) {
                throw EnvironmentException.inFile(file, "hosts", "missing; it lists every container of the job (e.g. [\"algo-1\"])");
            }
            Object value = config.get("hosts");
            if (!(value instanceof List<?> list)) {
                throw EnvironmentException.inFile(file, "hosts", "must be a list of host names, found " + ConfigFiles.describeType(value));
            }
            if (list.isEmpty()) {
                throw EnvironmentException.inFile(file, "hosts",
                        "is an empty list; it must list at least the current host (the reference fails with IndexError)");
            }
            List<String> hosts = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                if (!(list.get(i) instanceof String host)) {
                    throw EnvironmentException.inFile(file, "hosts[" + i + "]",
                            "must be a host name string, found " + ConfigFiles.describeType(list.get(i)));
                }
                hosts.add(host);
            }
            return Collections.unmodifiableList(hosts);
        }

        @SuppressWarnings("unchecked")
        private static List<Map<String, Object>> instanceGroups(Path file, Map<String, Object> config) {
            Object value = config.getOrDefault("instance_groups", List.of());
            if (!config.containsKey("instance_groups")) {
                log.debug("instance_groups entry not present in resource_config");
            }
            if (!(value instanceof List<?> list)) {
                throw EnvironmentException.inFile(file, "instance_groups", "must be a list of groups, found " + ConfigFiles.describeType(value));
            }
            List<Map<String, Object>> groups = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                String where = "instance_groups[" + i + "]";
                if (!(list.get(i) instanceof Map<?, ?> group)) {
                    throw EnvironmentException.inFile(file, where, "must be an object, found " + ConfigFiles.describeType(list.get(i)));
                }
                if (!(group.get("instance_group_name") instanceof String)) {
                    throw EnvironmentException.inFile(file, where + ".instance_group_name", "must be a string naming the group");
                }
                if (!(group.get("hosts") instanceof List)) {
                    throw EnvironmentException.inFile(file, where + ".hosts", "must be a list of host names");
                }
                groups.add((Map<String, Object>) group);
            }
            return groups;
        }

        @SuppressWarnings("unchecked")
        private static List<Object> list(Object value) {
            return (List<Object>) value;
        }
    }
}
