package io.smcontainers.env.core;

import io.smcontainers.env.core.TrainingEnv.Channels;
import io.smcontainers.env.core.TrainingEnv.Cluster;
import io.smcontainers.env.core.TrainingEnv.Distribution;
import io.smcontainers.env.core.TrainingEnv.InstanceGroup;
import io.smcontainers.env.core.TrainingEnv.JobIdentity;
import io.smcontainers.env.core.TrainingEnv.LogLevel;
import io.smcontainers.env.core.TrainingEnv.ModelParallel;
import io.smcontainers.env.core.TrainingEnv.Resources;
import io.smcontainers.env.core.TrainingEnv.UserCode;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the typed parts of a {@link TrainingEnv} once, one step per part, in the order the checks and warnings have
 * always run (so a job with two problems reports the same one first).
 */
final class TrainingEnvReader {
    // Logs under TrainingEnv's name: the name log configurations select and the JSON log shows.
    private static final Logger log = LoggerFactory.getLogger(TrainingEnv.class);

    static final String DEFAULT_INSTANCE_GROUP = "homogeneousCluster";
    static final List<String> DISTRIBUTION_FLAGS = List.of(
            "sagemaker_mpi_enabled",
            "sagemaker_parameter_server_enabled",
            "sagemaker_distributed_dataparallel_enabled",
            "sagemaker_pytorch_ddp_enabled",
            "sagemaker_pytorch_xla_multi_worker_enabled",
            "sagemaker_multi_worker_mirrored_strategy_enabled",
            "sagemaker_torch_distributed_enabled");

    private final Map<String, String> environment;
    private final HardwareInfo hardware;
    private final BaseDir baseDir;
    private final JobPaths paths;

    TrainingEnvReader(Map<String, String> environment, HardwareInfo hardware, BaseDir baseDir) {
        this.environment = environment;
        this.hardware = hardware;
        this.baseDir = baseDir;
        this.paths = baseDir.paths();
    }

    TrainingEnv read() {
        Map<String, Object> resourceConfig = ConfigFiles.readObject(paths.resourceConfigFile());
        Map<String, Object> inputDataConfig = ConfigFiles.readObject(paths.inputDataConfigFile());
        Map<String, Object> rawHyperparameters = ConfigFiles.readObject(paths.hyperparametersFile());
        String currentHost = requiredString(paths.resourceConfigFile(), resourceConfig, "current_host");
        List<String> hosts = requiredHosts(paths.resourceConfigFile(), resourceConfig);
        Hyperparameters hyperparameters = Hyperparameters.decode(paths.hyperparametersFile(), rawHyperparameters);
        Cluster cluster = cluster(resourceConfig, currentHost, hosts);
        Distribution distribution = distribution(cluster, hyperparameters);
        UserCode userCode = userCode(hyperparameters);
        LogLevel logLevel = logLevel(hyperparameters);
        Resources resources = resources(cluster);
        Channels channels = channels(inputDataConfig);
        warnAboutIgnoredOrSurprisingParameters(cluster, hyperparameters);
        return new TrainingEnv(
                baseDir,
                cluster,
                distribution,
                resources,
                channels,
                hyperparameters,
                userCode,
                logLevel,
                identity(hyperparameters));
    }

    /** The rest of {@code resourceconfig.json}, with the reference's defaults; each instance group is checked. */
    private Cluster cluster(Map<String, Object> resourceConfig, String currentHost, List<String> hosts) {
        Object networkInterface = resourceConfig.getOrDefault("network_interface_name", "eth0");
        Object currentInstanceType = resourceConfig.getOrDefault("current_instance_type", "local");
        Object currentGroup = resourceConfig.getOrDefault("current_group_name", DEFAULT_INSTANCE_GROUP);
        List<InstanceGroup> groups = instanceGroups(paths.resourceConfigFile(), resourceConfig);
        Object topology = resourceConfig.getOrDefault("topology", List.of());
        return new Cluster(
                resourceConfig,
                currentHost,
                hosts,
                networkInterface,
                currentInstanceType,
                currentGroup,
                groups,
                topology);
    }

    private Distribution distribution(Cluster cluster, Hyperparameters hyperparameters) {
        Object distributionGroups =
                distributionInstanceGroups(hyperparameters.framework(), cluster.currentInstanceGroup());
        List<Object> distributionHosts = new ArrayList<>();
        if (!cluster.instanceGroups().isEmpty()) {
            for (InstanceGroup group : cluster.instanceGroups()) {
                if (pythonIn(group.name(), distributionGroups)) {
                    distributionHosts.addAll(group.hosts());
                }
            }
        } else {
            distributionHosts.addAll(cluster.hosts());
        }
        String masterHostname =
                distributionHosts.isEmpty() ? cluster.hosts().get(0) : PyValues.str(distributionHosts.get(0));
        return new Distribution(
                distributionGroups, distributionHosts, masterHostname, modelParallel(hyperparameters.user()));
    }

    /** Entry point and module (training contract §7.1). */
    private UserCode userCode(Hyperparameters hyperparameters) {
        Map<String, Object> sagemaker = hyperparameters.sagemaker();
        String programVariable = environment.get("SAGEMAKER_PROGRAM");
        Object entryPoint = (programVariable != null && !programVariable.isEmpty())
                ? programVariable
                : sagemaker.get("sagemaker_program");
        String moduleName =
                programVariable != null ? programVariable : PyValues.str(sagemaker.get("sagemaker_program"));
        if (moduleName.endsWith(".py")) {
            moduleName = moduleName.substring(0, moduleName.length() - 3);
        }
        String moduleDir = sagemaker.containsKey("sagemaker_submit_directory")
                ? PyValues.str(sagemaker.get("sagemaker_submit_directory"))
                : paths.code().toString();
        return new UserCode(
                entryPoint, moduleName, moduleDir, Optional.ofNullable(environment.get("SAGEMAKER_TRAINING_MODULE")));
    }

    private LogLevel logLevel(Hyperparameters hyperparameters) {
        checkLogLevelVariable();
        Object value =
                hyperparameters.sagemaker().getOrDefault("sagemaker_container_log_level", BigInteger.valueOf(20));
        return new LogLevel(value, effectiveLogLevel(value));
    }

    private Resources resources(Cluster cluster) {
        int gpus = hardware.gpuCount();
        int neurons = hardware.neuronCoreCount(PyValues.str(cluster.currentInstanceType()));
        int cpus = hardware.cpuCount();
        return new Resources(cpus, gpus, neurons, hardware.isOnPath("smddpmprun"), hardware.isOnPath("smddprun"));
    }

    private Channels channels(Map<String, Object> inputDataConfig) {
        Map<String, String> dirs = new LinkedHashMap<>();
        for (String channel : inputDataConfig.keySet()) {
            dirs.put(channel, paths.channel(channel));
        }
        return new Channels(inputDataConfig, dirs);
    }

    private JobIdentity identity(Hyperparameters hyperparameters) {
        Object jobName = hyperparameters.sagemaker().get("sagemaker_job_name");
        Object region = hyperparameters.sagemaker().get("sagemaker_region");
        return new JobIdentity(
                Optional.ofNullable(environment.get("TRAINING_JOB_NAME")),
                jobName == null ? "" : PyValues.str(jobName),
                region != null ? PyValues.str(region) : defaultRegion());
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

    private static Object distributionInstanceGroups(Map<String, Object> frameworkParameters, Object currentGroup) {
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
    private boolean pythonIn(String item, Object container) {
        if (container instanceof List<?> list) {
            return list.contains(item);
        }
        if (container instanceof Map<?, ?> map) {
            return map.containsKey(item);
        }
        if (container instanceof String text) {
            return text.contains(item);
        }
        throw EnvironmentException.inFile(
                paths.hyperparametersFile(),
                "sagemaker_distribution_instance_groups",
                "must be a list of instance group names, found " + ConfigFiles.describeType(container) + " ("
                        + PyValues.repr(container) + ")");
    }

    /**
     * The reference's {@code value and value != "{}"} over {@code SM_HP_MP_PARAMETERS}, with the value taken from the
     * mp_parameters hyperparameter when the job has one (fix of §13 #24: not dependent on what was exported before),
     * else from the platform's variable. This is the one model-parallel rule: the MPI runner reads it through
     * {@link TrainingEnv#modelParallelEnabled()}.
     */
    private ModelParallel modelParallel(Map<String, Object> userHyperparameters) {
        String value = userHyperparameters.containsKey("mp_parameters")
                ? EnvVars.format(userHyperparameters.get("mp_parameters"))
                : environment.get("SM_HP_MP_PARAMETERS");
        if (value == null) {
            return ModelParallel.ABSENT;
        }
        if (value.isEmpty()) {
            return ModelParallel.EMPTY;
        }
        return "{}".equals(value) ? ModelParallel.OFF : ModelParallel.ON;
    }

    private void checkLogLevelVariable() {
        String value = environment.get("SAGEMAKER_CONTAINER_LOG_LEVEL");
        if (value != null) {
            try {
                Integer.parseInt(value.strip());
            } catch (NumberFormatException e) {
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
            } catch (NumberFormatException e) {
                // fall through to the warning
            }
        }
        log.warn(
                "Hyperparameter sagemaker_container_log_level={} is not an integer log level; using 20 (INFO)",
                PyValues.repr(logLevel));
        return 20;
    }

    private static void warnAboutIgnoredOrSurprisingParameters(Cluster cluster, Hyperparameters hyperparameters) {
        Map<String, Object> frameworkParameters = hyperparameters.framework();
        for (String flag : DISTRIBUTION_FLAGS) {
            Object value = frameworkParameters.get(flag);
            if (value instanceof String text && !text.isEmpty()) {
                log.warn(
                        "Hyperparameter {} is the string {}, which counts as true (Python truthiness, as in the reference "
                                + "toolkits); write true or false without quotes",
                        flag,
                        PyValues.repr(text));
            }
        }
        Object interfaceParameter = frameworkParameters.get("sagemaker_network_interface_name");
        if (interfaceParameter != null && !interfaceParameter.equals(cluster.networkInterfaceName())) {
            log.warn(
                    "Hyperparameter sagemaker_network_interface_name={} is ignored: the network interface comes from "
                            + "resourceconfig.json ({}), as in the reference toolkits",
                    interfaceParameter,
                    cluster.networkInterfaceName());
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
            throw EnvironmentException.inFile(
                    file, "hosts", "missing; it lists every container of the job (e.g. [\"algo-1\"])");
        }
        Object value = config.get("hosts");
        if (!(value instanceof List<?> list)) {
            throw EnvironmentException.inFile(
                    file, "hosts", "must be a list of host names, found " + ConfigFiles.describeType(value));
        }
        if (list.isEmpty()) {
            throw EnvironmentException.inFile(
                    file,
                    "hosts",
                    "is an empty list; it must list at least the current host (the reference fails with IndexError)");
        }
        List<String> hosts = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof String host)) {
                throw EnvironmentException.inFile(
                        file,
                        "hosts[" + i + "]",
                        "must be a host name string, found " + ConfigFiles.describeType(list.get(i)));
            }
            hosts.add(host);
        }
        return hosts;
    }

    private static List<InstanceGroup> instanceGroups(Path file, Map<String, Object> config) {
        Object value = config.getOrDefault("instance_groups", List.of());
        if (!config.containsKey("instance_groups")) {
            log.debug("instance_groups entry not present in resource_config");
        }
        if (!(value instanceof List<?> list)) {
            throw EnvironmentException.inFile(
                    file, "instance_groups", "must be a list of groups, found " + ConfigFiles.describeType(value));
        }
        List<InstanceGroup> groups = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String where = "instance_groups[" + i + "]";
            if (!(list.get(i) instanceof Map<?, ?> group)) {
                throw EnvironmentException.inFile(
                        file, where, "must be an object, found " + ConfigFiles.describeType(list.get(i)));
            }
            if (!(group.get("instance_group_name") instanceof String name)) {
                throw EnvironmentException.inFile(
                        file, where + ".instance_group_name", "must be a string naming the group");
            }
            if (!(group.get("hosts") instanceof List<?> hosts)) {
                throw EnvironmentException.inFile(file, where + ".hosts", "must be a list of host names");
            }
            groups.add(new InstanceGroup(name, hosts, jsonObject(group)));
        }
        return groups;
    }

    /** A JSON object from {@link ConfigFiles}: its keys are strings. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> jsonObject(Map<?, ?> object) {
        return (Map<String, Object>) object;
    }
}
