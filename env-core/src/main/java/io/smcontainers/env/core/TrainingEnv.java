package io.smcontainers.env.core;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The training environment of one job, built once per run from the job folder, the process environment
 * and the hardware, with every property of the reference toolkit (sagemaker-training 5.x, a superset of
 * sagemaker-containers). Immutable: typed parts read by {@link TrainingEnvReader}, and the views derived from
 * them once, here: {@link #properties()} (the one place that names the reference properties), {@link #envVars()}
 * and {@link #cmdArgs()} (exactly what the reference exports to the user process) and {@link #toolkitVariables()}.
 */
public final class TrainingEnv {
    private final BaseDir baseDir;
    private final Cluster cluster;
    private final Distribution distribution;
    private final Resources resources;
    private final Channels channels;
    private final Hyperparameters hyperparameters;
    private final UserCode userCode;
    private final LogLevel logLevel;
    private final JobIdentity identity;
    // derived from the parts above, once
    private final Map<String, Object> properties;
    private final List<String> cmdArgs;
    private final Map<String, String> envVars;
    private final Map<String, String> toolkitVariables;

    TrainingEnv(
            BaseDir baseDir,
            Cluster cluster,
            Distribution distribution,
            Resources resources,
            Channels channels,
            Hyperparameters hyperparameters,
            UserCode userCode,
            LogLevel logLevel,
            JobIdentity identity) {
        this.baseDir = requireNonNull(baseDir, "baseDir is null");
        this.cluster = requireNonNull(cluster, "cluster is null");
        this.distribution = requireNonNull(distribution, "distribution is null");
        this.resources = requireNonNull(resources, "resources is null");
        this.channels = requireNonNull(channels, "channels is null");
        this.hyperparameters = requireNonNull(hyperparameters, "hyperparameters is null");
        this.userCode = requireNonNull(userCode, "userCode is null");
        this.logLevel = requireNonNull(logLevel, "logLevel is null");
        this.identity = requireNonNull(identity, "identity is null");
        this.properties = referenceProperties(
                baseDir.paths(),
                cluster,
                distribution,
                resources,
                channels,
                hyperparameters,
                userCode,
                logLevel,
                identity);
        this.cmdArgs = CommandLine.toCmdArgs(hyperparameters.user());
        this.envVars = EnvVars.build(baseDir.paths(), properties, channels.dirs(), cmdArgs, hyperparameters.user());
        this.toolkitVariables = toolkitVariables(baseDir, cluster, identity);
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
        requireNonNull(baseDir, "baseDir is null");
        return new TrainingEnvReader(processEnvironment, hardware, baseDir).read();
    }

    /**
     * The 37 properties of the reference environment object, by their reference names, in code-point order (the
     * order of {@code SM_TRAINING_ENV}'s keys).
     */
    private static Map<String, Object> referenceProperties(
            JobPaths paths,
            Cluster cluster,
            Distribution distribution,
            Resources resources,
            Channels channels,
            Hyperparameters hyperparameters,
            UserCode userCode,
            LogLevel logLevel,
            JobIdentity identity) {
        Map<String, Object> p = new TreeMap<>(CodePointOrder.INSTANCE);
        p.put("additional_framework_parameters", hyperparameters.framework());
        p.put("channel_input_dirs", channels.dirs());
        p.put("current_host", cluster.currentHost());
        p.put("current_instance_group", cluster.currentInstanceGroup());
        p.put("current_instance_group_hosts", cluster.currentInstanceGroupHosts());
        p.put("current_instance_type", cluster.currentInstanceType());
        p.put("distribution_hosts", distribution.hosts());
        p.put("distribution_instance_groups", distribution.instanceGroups());
        p.put("framework_module", userCode.frameworkModule().orElse(null));
        p.put("hosts", cluster.hosts());
        p.put("hyperparameters", hyperparameters.user());
        p.put("input_config_dir", paths.inputConfig().toString());
        p.put("input_data_config", channels.inputDataConfig());
        p.put("input_dir", paths.input().toString());
        p.put("instance_groups", cluster.instanceGroupNames());
        p.put("instance_groups_dict", cluster.instanceGroupsByName());
        p.put("is_hetero", cluster.isHetero());
        p.put("is_master", isMaster(cluster, distribution));
        p.put("is_modelparallel_enabled", distribution.modelParallel().referenceValue());
        p.put("is_smddpmprun_installed", resources.smddpmprunInstalled());
        p.put("is_smddprun_installed", resources.smddprunInstalled());
        p.put("job_name", identity.trainingJobName().orElse(null));
        p.put("log_level", logLevel.value());
        p.put("master_hostname", distribution.masterHostname());
        p.put("model_dir", paths.model().toString());
        p.put("module_dir", userCode.moduleDir());
        p.put("module_name", userCode.moduleName());
        p.put("network_interface_name", cluster.networkInterfaceName());
        p.put("num_cpus", resources.cpus());
        p.put("num_gpus", resources.gpus());
        p.put("num_neurons", resources.neurons());
        p.put("output_data_dir", paths.outputData().toString());
        p.put("output_dir", paths.output().toString());
        p.put("output_intermediate_dir", paths.intermediate().toString());
        p.put("resource_config", cluster.resourceConfig());
        p.put("topology", cluster.topology());
        p.put("user_entry_point", userCode.entryPoint());
        return Collections.unmodifiableMap(p);
    }

    /** What the toolkit exports to its own process environment, in the reference's order. */
    private static Map<String, String> toolkitVariables(BaseDir baseDir, Cluster cluster, JobIdentity identity) {
        Map<String, String> toolkit = new LinkedHashMap<>();
        baseDir.fallback().ifPresent(base -> toolkit.put(BaseDir.BASE_DIR_VARIABLE, base.toString()));
        toolkit.put("SAGEMAKER_JOB_NAME", identity.sagemakerJobName());
        toolkit.put("CURRENT_HOST", cluster.currentHost());
        toolkit.put("SAGEMAKER_REGION", identity.region());
        return Collections.unmodifiableMap(toolkit);
    }

    private static boolean isMaster(Cluster cluster, Distribution distribution) {
        return cluster.currentHost().equals(distribution.masterHostname());
    }

    public JobPaths paths() {
        return baseDir.paths();
    }

    /** The base dir the local fallback created, if it ran. */
    public Optional<Path> fallbackBase() {
        return baseDir.fallback();
    }

    /** Every property of the reference environment object, by its reference name, in code-point order. */
    public Map<String, Object> properties() {
        return properties;
    }

    /** Whether model parallelism is on: Python truthiness of {@code is_modelparallel_enabled} (training contract §3.4). */
    public boolean modelParallelEnabled() {
        return distribution.modelParallel() == ModelParallel.ON;
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
        return hyperparameters.user();
    }

    /** The reserved and {@code sagemaker_*} hyperparameters, decoded, in file order. */
    public Map<String, Object> sagemakerHyperparameters() {
        return hyperparameters.sagemaker();
    }

    /** {@code SM_FRAMEWORK_PARAMS}: the {@code sagemaker_*} hyperparameters that are not reserved. */
    public Map<String, Object> frameworkParameters() {
        return hyperparameters.framework();
    }

    public Optional<String> userEntryPoint() {
        Object value = userCode.entryPoint();
        return value == null ? Optional.empty() : Optional.of(PyValues.str(value));
    }

    public String moduleName() {
        return userCode.moduleName();
    }

    /** Where the user code comes from: an S3 URI, a local directory, tarball or file. */
    public String moduleDir() {
        return userCode.moduleDir();
    }

    /** {@code is_smddpmprun_installed}: whether {@code smddpmprun} is on the {@code PATH} (looked up once, by the probe). */
    public boolean smddpmprunInstalled() {
        return resources.smddpmprunInstalled();
    }

    public Optional<String> frameworkModule() {
        return userCode.frameworkModule();
    }

    /** The log level as a number the toolkit can use (invalid values fall back to 20 with a warning). */
    public int logLevel() {
        return logLevel.effective();
    }

    public String currentHost() {
        return cluster.currentHost();
    }

    public List<String> hosts() {
        return cluster.hosts();
    }

    public List<String> distributionHosts() {
        return strings(distribution.hosts());
    }

    public String masterHostname() {
        return distribution.masterHostname();
    }

    public boolean isMaster() {
        return isMaster(cluster, distribution);
    }

    public String networkInterfaceName() {
        return PyValues.str(cluster.networkInterfaceName());
    }

    public int numGpus() {
        return resources.gpus();
    }

    public int numCpus() {
        return resources.cpus();
    }

    public int numNeurons() {
        return resources.neurons();
    }

    public String currentInstanceType() {
        return PyValues.str(cluster.currentInstanceType());
    }

    public String currentInstanceGroup() {
        return PyValues.str(cluster.currentInstanceGroup());
    }

    public List<String> distributionInstanceGroups() {
        Object value = distribution.instanceGroups();
        if (value instanceof List<?> list) {
            return strings(list);
        }
        return List.of(PyValues.str(value));
    }

    /** {@code TRAINING_JOB_NAME} from the platform. */
    public Optional<String> jobName() {
        return identity.trainingJobName();
    }

    /** {@code SAGEMAKER_REGION} as the toolkit exports it (may be empty). */
    public String region() {
        return identity.region();
    }

    private static List<String> strings(List<?> values) {
        List<String> out = new ArrayList<>();
        values.forEach(item -> out.add(PyValues.str(item)));
        return Collections.unmodifiableList(out);
    }

    /*
     * The typed parts. A component typed Object holds a JSON value as the reference keeps it (it may be a number
     * where a name is expected, or null for JSON null): the properties show it as read, the accessors above show
     * Python's str() of it.
     */

    /** {@code resourceconfig.json}: this container, the job's hosts, the network and the instance groups. */
    record Cluster(
            Map<String, Object> resourceConfig,
            String currentHost,
            List<String> hosts,
            Object networkInterfaceName,
            Object currentInstanceType,
            Object currentInstanceGroup,
            List<InstanceGroup> instanceGroups,
            Object topology) {
        Cluster {
            requireNonNull(resourceConfig, "resourceConfig is null");
            requireNonNull(currentHost, "currentHost is null");
            hosts = List.copyOf(requireNonNull(hosts, "hosts is null"));
            instanceGroups = List.copyOf(requireNonNull(instanceGroups, "instanceGroups is null"));
        }

        List<String> instanceGroupNames() {
            List<String> names = new ArrayList<>();
            instanceGroups.forEach(group -> names.add(group.name()));
            return Collections.unmodifiableList(names);
        }

        /** Each group's object by name: a repeated name keeps its first position and its last group, as a Python dict. */
        Map<String, Map<String, Object>> instanceGroupsByName() {
            Map<String, Map<String, Object>> byName = new LinkedHashMap<>();
            instanceGroups.forEach(group -> byName.put(group.name(), group.json()));
            return Collections.unmodifiableMap(byName);
        }

        /** The hosts of the first group named {@link #currentInstanceGroup()}, else none. */
        List<?> currentInstanceGroupHosts() {
            for (InstanceGroup group : instanceGroups) {
                if (group.name().equals(currentInstanceGroup)) {
                    return group.hosts();
                }
            }
            return List.of();
        }

        boolean isHetero() {
            return instanceGroups.size() > 1;
        }
    }

    /**
     * One entry of {@code instance_groups}: its {@code instance_group_name}, its {@code hosts} as read (JSON values) and
     * the whole object.
     */
    record InstanceGroup(String name, List<?> hosts, Map<String, Object> json) {
        InstanceGroup {
            requireNonNull(name, "name is null");
            requireNonNull(hosts, "hosts is null");
            requireNonNull(json, "json is null");
        }
    }

    /**
     * Who trains together: the distribution instance groups (the {@code sagemaker_distribution_instance_groups}
     * hyperparameter as decoded, else the current group when a distribution flag is on, else none), their hosts in
     * file order (all hosts without instance groups), the master (the first of them) and model parallelism.
     */
    record Distribution(Object instanceGroups, List<Object> hosts, String masterHostname, ModelParallel modelParallel) {
        Distribution {
            hosts = Collections.unmodifiableList(new ArrayList<>(requireNonNull(hosts, "hosts is null")));
            requireNonNull(masterHostname, "masterHostname is null");
            requireNonNull(modelParallel, "modelParallel is null");
        }
    }

    /**
     * {@code is_modelparallel_enabled} as the reference computes it, {@code value and value != "{}"} over the
     * {@code mp_parameters} value: null when absent, {@code ""} when empty, else a boolean.
     */
    enum ModelParallel {
        ABSENT(null),
        EMPTY(""),
        OFF(Boolean.FALSE),
        ON(Boolean.TRUE);

        private final Object referenceValue;

        ModelParallel(Object referenceValue) {
            this.referenceValue = referenceValue;
        }

        Object referenceValue() {
            return referenceValue;
        }
    }

    /** The machine: {@code num_cpus}, {@code num_gpus}, {@code num_neurons} and the SMDDP launchers on {@code PATH}. */
    record Resources(int cpus, int gpus, int neurons, boolean smddpmprunInstalled, boolean smddprunInstalled) {}

    /** {@code inputdataconfig.json} and each channel's directory, in file order. */
    record Channels(Map<String, Object> inputDataConfig, Map<String, String> dirs) {
        Channels {
            requireNonNull(inputDataConfig, "inputDataConfig is null");
            dirs = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(dirs, "dirs is null")));
        }
    }

    /**
     * The user code (training contract §7.1): the entry point ({@code SAGEMAKER_PROGRAM} when non-empty, else the
     * {@code sagemaker_program} hyperparameter as decoded, null when neither), the module name, where the code comes
     * from and {@code SAGEMAKER_TRAINING_MODULE}.
     */
    record UserCode(Object entryPoint, String moduleName, String moduleDir, Optional<String> frameworkModule) {
        UserCode {
            requireNonNull(moduleName, "moduleName is null");
            requireNonNull(moduleDir, "moduleDir is null");
            requireNonNull(frameworkModule, "frameworkModule is null");
        }
    }

    /** {@code sagemaker_container_log_level} as decoded (default 20), and the number the toolkit uses. */
    record LogLevel(Object value, int effective) {}

    /**
     * {@code TRAINING_JOB_NAME} from the platform, and the {@code SAGEMAKER_JOB_NAME} (may be empty) and
     * {@code SAGEMAKER_REGION} (may be empty) the toolkit exports.
     */
    record JobIdentity(Optional<String> trainingJobName, String sagemakerJobName, String region) {
        JobIdentity {
            requireNonNull(trainingJobName, "trainingJobName is null");
            requireNonNull(sagemakerJobName, "sagemakerJobName is null");
            requireNonNull(region, "region is null");
        }
    }
}
