package io.smcontainers.env.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigInteger;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingEnvTest {
    @TempDir
    Path temp;

    private JobFolder job() throws IOException {
        return new JobFolder(temp.resolve("ml"));
    }

    @Test
    void workedExampleOfTheSpecMatchesLineForLine() throws IOException, URISyntaxException {
        Path source = Path.of(getClass().getResource("/worked-example").toURI());
        JobFolder job = job();
        for (String file : List.of("hyperparameters.json", "inputdataconfig.json", "resourceconfig.json")) {
            job.write(file, Files.readString(source.resolve("input/config").resolve(file)));
        }
        job.env("TRAINING_JOB_NAME", "my-job");
        TrainingEnv env = job.read(HardwareInfo.fixed(8, 0, 64));

        List<String> expected = Files.readAllLines(source.resolve("expected-env.txt"), StandardCharsets.UTF_8);
        List<String> actual = env.envVars().entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue().replace(job.base.toString(), "/opt/ml"))
                .sorted()
                .toList();
        assertEquals(expected, actual);
        assertEquals(
                Map.of("SAGEMAKER_JOB_NAME", "my-job", "CURRENT_HOST", "algo-1", "SAGEMAKER_REGION", "us-west-2"),
                env.toolkitVariables());
        assertTrue(env.isMaster());
        assertEquals("algo-1", env.masterHostname());
        assertEquals(Optional.of("train.py"), env.userEntryPoint());
    }

    @Test
    void environmentTestOfTheReferenceSuite() throws IOException {
        // test_environment.py's shared fixture (STT flavour)
        JobFolder job = job().resourceConfig(
                        "{\"current_host\": \"algo-1\", \"hosts\": [\"algo-1\", \"algo-2\", \"algo-3\"], "
                                + "\"current_group_name\": \"train1\", \"current_instance_type\": \"ml.p3.16xlarge\", \"instance_groups\": ["
                                + "{\"instance_group_name\": \"train1\", \"instance_type\": \"ml.p3.16xlarge\", \"hosts\": [\"algo-1\", \"algo-2\"]},"
                                + "{\"instance_group_name\": \"train2\", \"instance_type\": \"ml.p3.8xlarge\", \"hosts\": [\"algo-3\"]}]}")
                .inputDataConfig(
                        "{\"train\": {\"ContentType\": \"trainingContentType\", \"TrainingInputMode\": \"File\"}, "
                                + "\"validation\": {\"TrainingInputMode\": \"File\"}}")
                .hyperparameters("{\"batch_size\": 32, \"learning_rate\": 0.001, \"hosts\": [\"algo-1\", \"algo-2\"], "
                        + "\"sagemaker_region\": \"us-west-2\", \"default_user_module_name\": \"net\", \"sagemaker_job_name\": \"sagemaker-training-job\", "
                        + "\"sagemaker_program\": \"main.py\", \"sagemaker_submit_directory\": \"imagenet\", \"sagemaker_enable_cloudwatch_metrics\": true, "
                        + "\"sagemaker_container_log_level\": 30, \"_tuning_objective_metric\": \"loss:3.4\", \"sagemaker_parameter_server_num\": 2, "
                        + "\"sagemaker_s3_output\": \"s3://bucket\"}")
                .env("TRAINING_JOB_NAME", "training-job-42");
        TrainingEnv env = job.read(HardwareInfo.fixed(4, 2, 8));

        assertEquals(4, env.numGpus());
        assertEquals(8, env.numCpus());
        assertEquals(2, env.numNeurons());
        Map<String, Object> userHps = new LinkedHashMap<>();
        userHps.put("batch_size", BigInteger.valueOf(32));
        userHps.put("learning_rate", 0.001);
        userHps.put("hosts", List.of("algo-1", "algo-2"));
        assertEquals(userHps, env.hyperparameters());
        assertEquals(Map.of("sagemaker_parameter_server_num", BigInteger.TWO), env.frameworkParameters());
        assertTrue(env.properties().get("output_data_dir").toString().endsWith("/output/data"));
        assertEquals(List.of("algo-1", "algo-2", "algo-3"), env.hosts());
        assertEquals("algo-1", env.currentHost());
        assertEquals("main", env.moduleName());
        assertEquals(Optional.of("main.py"), env.userEntryPoint());
        assertEquals("imagenet", env.moduleDir());
        assertEquals(BigInteger.valueOf(30), env.properties().get("log_level"));
        assertEquals(30, env.logLevel());
        assertEquals("eth0", env.networkInterfaceName());
        assertEquals(Optional.of("training-job-42"), env.jobName());
        assertEquals("train1", env.currentInstanceGroup());
        assertEquals("ml.p3.16xlarge", env.currentInstanceType());
        assertEquals(List.of("train1", "train2"), env.properties().get("instance_groups"));
        assertEquals(
                job.base + "/input/data/train", ((Map<?, ?>) env.properties().get("channel_input_dirs")).get("train"));
        assertEquals(Boolean.TRUE, env.properties().get("is_hetero"));
        // no distribution flag: no distribution groups, and the instance-group hosts are used
        assertEquals(List.of(), env.distributionInstanceGroups());
        assertEquals(List.of(), env.distributionHosts());
        assertEquals("algo-1", env.masterHostname());
    }

    @Test
    void variablesFollowTheBuildOrderOfSection52() throws IOException {
        TrainingEnv env = job().resourceConfig(
                        "{\"current_host\": \"algo-1\", \"hosts\": [\"algo-1\"], \"topology\": [{\"hostName\": \"algo-1\"}]}")
                .inputDataConfig("{\"train\": {}, \"eval\": {}}")
                .hyperparameters("{\"lr\": \"0.1\", \"epochs\": \"3\"}")
                .read();
        assertEquals(
                List.of(
                        "SM_HOSTS",
                        "SM_NETWORK_INTERFACE_NAME",
                        "SM_HPS",
                        "SM_USER_ENTRY_POINT",
                        "SM_FRAMEWORK_PARAMS",
                        "SM_RESOURCE_CONFIG",
                        "SM_INPUT_DATA_CONFIG",
                        "SM_OUTPUT_DATA_DIR",
                        "SM_CHANNELS",
                        "SM_CURRENT_HOST",
                        "SM_CURRENT_INSTANCE_TYPE",
                        "SM_CURRENT_INSTANCE_GROUP",
                        "SM_CURRENT_INSTANCE_GROUP_HOSTS",
                        "SM_INSTANCE_GROUPS",
                        "SM_INSTANCE_GROUPS_DICT",
                        "SM_DISTRIBUTION_INSTANCE_GROUPS",
                        "SM_IS_HETERO",
                        "SM_MODULE_NAME",
                        "SM_LOG_LEVEL",
                        "SM_FRAMEWORK_MODULE",
                        "SM_INPUT_DIR",
                        "SM_INPUT_CONFIG_DIR",
                        "SM_OUTPUT_DIR",
                        "SM_NUM_CPUS",
                        "SM_NUM_GPUS",
                        "SM_NUM_NEURONS",
                        "SM_MODEL_DIR",
                        "SM_MODULE_DIR",
                        "SM_TRAINING_ENV",
                        "SM_USER_ARGS",
                        "SM_OUTPUT_INTERMEDIATE_DIR",
                        "SM_TOPOLOGY",
                        "SM_CHANNEL_TRAIN",
                        "SM_CHANNEL_EVAL",
                        "SM_HP_LR",
                        "SM_HP_EPOCHS"),
                List.copyOf(env.envVars().keySet()));
        assertEquals("[\"eval\",\"train\"]", env.envVars().get("SM_CHANNELS"));
    }

    @Test
    void propertiesAreTheThirtySevenReferenceNamesInCodePointOrder() throws IOException {
        TrainingEnv env = job().read();
        assertEquals(
                List.of(
                        "additional_framework_parameters",
                        "channel_input_dirs",
                        "current_host",
                        "current_instance_group",
                        "current_instance_group_hosts",
                        "current_instance_type",
                        "distribution_hosts",
                        "distribution_instance_groups",
                        "framework_module",
                        "hosts",
                        "hyperparameters",
                        "input_config_dir",
                        "input_data_config",
                        "input_dir",
                        "instance_groups",
                        "instance_groups_dict",
                        "is_hetero",
                        "is_master",
                        "is_modelparallel_enabled",
                        "is_smddpmprun_installed",
                        "is_smddprun_installed",
                        "job_name",
                        "log_level",
                        "master_hostname",
                        "model_dir",
                        "module_dir",
                        "module_name",
                        "network_interface_name",
                        "num_cpus",
                        "num_gpus",
                        "num_neurons",
                        "output_data_dir",
                        "output_dir",
                        "output_intermediate_dir",
                        "resource_config",
                        "topology",
                        "user_entry_point"),
                List.copyOf(env.properties().keySet()));
        assertTrue(
                env.toJson().startsWith("{\"additional_framework_parameters\":{},\"channel_input_dirs\":{},"),
                env.toJson());
    }

    @Test
    void moduleNameAndEntryPointRules() throws IOException {
        assertEquals(
                "program", job().env("SAGEMAKER_PROGRAM", "program.py").read().moduleName());
        assertEquals("program", job().env("SAGEMAKER_PROGRAM", "program").read().moduleName());
        TrainingEnv none = job().read();
        assertEquals("None", none.moduleName());
        assertEquals(Optional.empty(), none.userEntryPoint());
        assertEquals("", none.envVars().get("SM_USER_ENTRY_POINT"));
        assertEquals("None", none.envVars().get("SM_MODULE_NAME"));
        // set-but-empty SAGEMAKER_PROGRAM: empty module name, entry point from the hyperparameter
        TrainingEnv empty = job().hyperparameters("{\"sagemaker_program\": \"\\\"hp.py\\\"\"}")
                .env("SAGEMAKER_PROGRAM", "")
                .read();
        assertEquals("", empty.moduleName());
        assertEquals(Optional.of("hp.py"), empty.userEntryPoint());
        // only one trailing .py goes
        assertEquals(
                "my.pyramid",
                job().env("SAGEMAKER_PROGRAM", "my.pyramid.py").read().moduleName());
    }

    @Test
    void collisionsAfterUpperCasingKeepTheLaterValue() throws IOException {
        TrainingEnv env = job().hyperparameters("{\"lr\": \"1\", \"b\": \"2\", \"LR\": \"3\"}")
                .read();
        assertEquals("3", env.envVars().get("SM_HP_LR"));
        assertEquals(List.of("--LR", "3", "-b", "2", "--lr", "1"), env.cmdArgs());
        // Python's str.upper is full Unicode: ß -> SS
        TrainingEnv german = job().hyperparameters("{\"straße\": \"1\"}").read();
        assertEquals("1", german.envVars().get("SM_HP_STRASSE"));
    }

    @Test
    void keysAreOrderedByCodePointNotUtf16() throws IOException {
        TrainingEnv env = job().hyperparameters("{\"\\ud83d\\ude00\": \"1\", \"\\uff46\": \"2\", \"a\": \"3\"}")
                .read();
        assertEquals(List.of("-a", "3", "-\uff46", "2", "-\ud83d\ude00", "1"), env.cmdArgs());
        assertEquals(
                "{\"a\":3,\"\\uff46\":2,\"\\ud83d\\ude00\":1}", env.envVars().get("SM_HPS"));
    }

    @Test
    void commandLineCasesOfTheReferenceSuite() {
        assertEquals(
                List.of("--da-sh", "1", "--da_der", "2", "--un-sh", "3", "--un_der", "2"),
                CommandLine.toCmdArgs(ordered("da-sh", "1", "un_der", "2", "un-sh", "3", "da_der", "2")));
        assertEquals(List.of(), CommandLine.toCmdArgs(Map.of()));
        assertEquals(List.of("", ""), CommandLine.toCmdArgs(ordered("", "")));
        assertEquals(
                List.of("--bytes", "2", "--floats", "4.0", "--int", "2", "--unicode", "¡ø"),
                CommandLine.toCmdArgs(ordered("unicode", "¡ø", "bytes", "2", "floats", 4.0, "int", BigInteger.TWO)));
        assertEquals(
                List.of("", "42", "-T", "", "-U", "1", "-b", "2"),
                CommandLine.toCmdArgs(ordered("U", "1", "b", "2", "T", "", "", "42")));
        assertEquals(
                List.of("--nested", "['1', ['2', '3', [['6']]]]"),
                CommandLine.toCmdArgs(ordered("nested", List.of("1", List.of("2", "3", List.of(List.of("6")))))));
        assertEquals(
                List.of("--channel_dirs", "eval=bar,train=foo", "--map", "a=[1, 3, 4]"),
                CommandLine.toCmdArgs(ordered(
                        "map",
                        ordered("a", List.of(BigInteger.ONE, BigInteger.valueOf(3), BigInteger.valueOf(4))),
                        "channel_dirs",
                        ordered("train", "foo", "eval", "bar"))));
        assertEquals(
                List.of("--falsy", "False", "--truthy", "True"),
                CommandLine.toCmdArgs(ordered("truthy", true, "falsy", false)));
        // the README example is wrong; this is what the code produces
        assertEquals(
                List.of("--batch-size", "256", "--communicator", "pure_nccl", "--learning-rate", "0.0001"),
                CommandLine.toCmdArgs(ordered(
                        "batch-size", BigInteger.valueOf(256), "learning-rate", 0.0001, "communicator", "pure_nccl")));
    }

    @Test
    void envVarValueCasesOfTheReferenceSuite() {
        assertEquals("", EnvVars.format(null));
        assertEquals("4.0", EnvVars.format(4.0));
        assertEquals("¡ø", EnvVars.format("¡ø"));
        assertEquals(
                "[\"1\",[\"2\",\"3\",[[\"6\"]]]]",
                EnvVars.format(List.of("1", List.of("2", "3", List.of(List.of("6"))))));
        assertEquals("{\"eval\":\"bar\",\"train\":\"foo\"}", EnvVars.format(ordered("train", "foo", "eval", "bar")));
        assertEquals("true", EnvVars.format(true));
        assertEquals("SM_MODEL_DIR", EnvVars.name("model_dir"));
        assertEquals("SM_OUTPUT_DIR", EnvVars.name("OUTPUT_DIR"));
        assertEquals("", EnvVars.name(""));
    }

    @Test
    void distributionGroupsAndMasterSelection() throws IOException {
        String twoGroups =
                "{\"current_host\": \"algo-3\", \"current_group_name\": \"train2\", \"hosts\": [\"algo-1\", \"algo-2\", \"algo-3\", \"algo-4\"], "
                        + "\"instance_groups\": [{\"instance_group_name\": \"train1\", \"instance_type\": \"a\", \"hosts\": [\"algo-1\", \"algo-2\"]},"
                        + "{\"instance_group_name\": \"train2\", \"instance_type\": \"b\", \"hosts\": [\"algo-4\", \"algo-3\"]}]}";
        // an MPI flag makes the current group the distribution group; its first host in file order is master
        TrainingEnv mpi = job().resourceConfig(twoGroups)
                .hyperparameters("{\"sagemaker_mpi_enabled\": \"true\"}")
                .read();
        assertEquals(List.of("train2"), mpi.distributionInstanceGroups());
        assertEquals(List.of("algo-4", "algo-3"), mpi.distributionHosts());
        assertEquals("algo-4", mpi.masterHostname());
        assertFalse(mpi.isMaster());
        // an unquoted "False" is a non-empty string, so it is truthy (as in the reference)
        TrainingEnv unquoted = job().resourceConfig(twoGroups)
                .hyperparameters("{\"sagemaker_mpi_enabled\": \"False\"}")
                .read();
        assertEquals(List.of("train2"), unquoted.distributionInstanceGroups());
        TrainingEnv falsy = job().resourceConfig(twoGroups)
                .hyperparameters("{\"sagemaker_mpi_enabled\": \"false\"}")
                .read();
        assertEquals(List.of(), falsy.distributionInstanceGroups());
        assertEquals("algo-1", falsy.masterHostname());
        // no instance groups: the distribution hosts are a copy of hosts
        TrainingEnv plain = job().resourceConfig("{\"current_host\": \"b\", \"hosts\": [\"b\", \"a\"]}")
                .read();
        assertEquals(List.of("b", "a"), plain.distributionHosts());
        assertEquals("b", plain.masterHostname());
        assertTrue(plain.isMaster());
        assertEquals("[]", plain.envVars().get("SM_CURRENT_INSTANCE_GROUP_HOSTS"));
    }

    @Test
    void modelParallelIsDecidedFromTheHyperparameter() throws IOException {
        assertNull(job().read().properties().get("is_modelparallel_enabled"));
        assertEquals(
                Boolean.TRUE,
                job().hyperparameters("{\"mp_parameters\": \"{\\\"partitions\\\": 2}\"}")
                        .read()
                        .properties()
                        .get("is_modelparallel_enabled"));
        assertEquals(
                Boolean.FALSE,
                job().hyperparameters("{\"mp_parameters\": \"{}\"}")
                        .read()
                        .properties()
                        .get("is_modelparallel_enabled"));
        assertEquals(
                Boolean.TRUE,
                job().env("SM_HP_MP_PARAMETERS", "{\"a\":1}")
                        .read()
                        .properties()
                        .get("is_modelparallel_enabled"));
    }

    @Test
    void emptyOrNullModelParallelParametersAreTheReferencesEmptyStringAndOff() throws IOException {
        // the reference: os.environ.get("SM_HP_MP_PARAMETERS") and value != "{}" -> "" for an empty value (falsy)
        TrainingEnv fromVariable = job().env("SM_HP_MP_PARAMETERS", "").read();
        assertEquals("", fromVariable.properties().get("is_modelparallel_enabled"));
        assertFalse(fromVariable.modelParallelEnabled());
        assertTrue(fromVariable.toJson().contains("\"is_modelparallel_enabled\":\"\""), fromVariable.toJson());
        // mp_parameters: null is exported as SM_HP_MP_PARAMETERS="" by the reference: the same ""
        TrainingEnv fromNull =
                job().hyperparameters("{\"mp_parameters\": \"null\"}").read();
        assertEquals("", fromNull.properties().get("is_modelparallel_enabled"));
        assertFalse(fromNull.modelParallelEnabled());
        assertFalse(job().hyperparameters("{\"mp_parameters\": \"{}\"}").read().modelParallelEnabled());
        assertTrue(job().hyperparameters("{\"mp_parameters\": \"{\\\"partitions\\\": 2}\"}")
                .read()
                .modelParallelEnabled());
        assertTrue(job().env("SM_HP_MP_PARAMETERS", "{\"a\":1}").read().modelParallelEnabled());
    }

    @Test
    void topologyIsExportedOnlyWhenPresent() throws IOException {
        assertFalse(job().read().envVars().containsKey("SM_TOPOLOGY"));
        TrainingEnv env = job().resourceConfig("{\"current_host\": \"algo-1\", \"hosts\": [\"algo-1\"], "
                        + "\"topology\": [{\"hostName\": \"algo-1\", \"capacityUnitId\": \"u1\"}]}")
                .read();
        assertEquals(
                "[{\"capacityUnitId\":\"u1\",\"hostName\":\"algo-1\"}]",
                env.envVars().get("SM_TOPOLOGY"));
        List<String> names = List.copyOf(env.envVars().keySet());
        assertEquals(names.indexOf("SM_OUTPUT_INTERMEDIATE_DIR") + 1, names.indexOf("SM_TOPOLOGY"));
    }

    @Test
    void toolkitVariablesStringifyAndDefault() throws IOException {
        TrainingEnv env = job().hyperparameters("{\"sagemaker_job_name\": \"123\"}")
                .env("AWS_DEFAULT_REGION", "eu-west-1")
                .read();
        // the reference crashes on a job name that decodes to a number; we stringify it (§13 #25)
        assertEquals("123", env.toolkitVariables().get("SAGEMAKER_JOB_NAME"));
        assertEquals("eu-west-1", env.region());
        assertEquals("", job().read().region());
    }

    @Test
    void invalidLogLevelVariableIsIgnored() throws IOException {
        TrainingEnv env = job().env("SAGEMAKER_CONTAINER_LOG_LEVEL", "debug").read();
        assertEquals("20", env.envVars().get("SM_LOG_LEVEL"));
        TrainingEnv text = job().hyperparameters("{\"sagemaker_container_log_level\": \"\\\"loud\\\"\"}")
                .read();
        assertEquals("loud", text.envVars().get("SM_LOG_LEVEL"));
        assertEquals(20, text.logLevel());
    }

    @Test
    void readsFilesWithPythonJsonSemantics() throws IOException {
        TrainingEnv env = job().hyperparameters("{\"a\": \"1\", \"b\": NaN, \"a\": \"2\"}")
                .read();
        assertEquals(List.of("a", "b"), List.copyOf(env.hyperparameters().keySet()));
        assertEquals(BigInteger.TWO, env.hyperparameters().get("a"));
        assertEquals("NaN", env.envVars().get("SM_HP_B"));
        assertEquals(List.of("-a", "2", "-b", "nan"), env.cmdArgs());
    }

    @Test
    void byteOrderMarkIsReadTolerantly() throws IOException {
        JobFolder job = job();
        Files.write(job.config("hyperparameters.json"), ("\ufeff{\"lr\": \"0.1\"}").getBytes(StandardCharsets.UTF_8));
        assertEquals("0.1", job.read().envVars().get("SM_HP_LR"));
    }

    @Test
    void missingFileFailsWithExitCodeTwoAndNamesIt() throws IOException {
        JobFolder job = job();
        Files.delete(job.config("inputdataconfig.json"));
        EnvironmentException e = assertThrows(EnvironmentException.class, job::read);
        assertEquals(2, e.exitCode());
        assertEquals(Optional.of(job.config("inputdataconfig.json")), e.file());
        assertTrue(
                e.getMessage().contains("inputdataconfig.json")
                        && e.getMessage().contains("not found"),
                e.getMessage());
    }

    @Test
    void malformedJsonNamesFileLineAndColumn() throws IOException {
        JobFolder job = job().hyperparameters("{\n  \"lr\": \"0.1\",\n  \"epochs\" 3\n}");
        EnvironmentException e = assertThrows(EnvironmentException.class, job::read);
        assertEquals(1, e.exitCode());
        assertTrue(
                e.getMessage().contains("hyperparameters.json")
                        && e.getMessage().contains("line 3 column 12"),
                e.getMessage());
    }

    @Test
    void invalidUtf8IsRefusedWithTheOffset() throws IOException {
        JobFolder job = job();
        Files.write(job.config("resourceconfig.json"), new byte[] {'{', '"', (byte) 0xff, '"', ':', '1', '}'});
        EnvironmentException e = assertThrows(EnvironmentException.class, job::read);
        assertTrue(
                e.getMessage().contains("resourceconfig.json") && e.getMessage().contains("UTF-8 at byte 2"),
                e.getMessage());
    }

    @Test
    void badResourceConfigsNameTheKey() throws IOException {
        assertKeyError(job().resourceConfig("{\"hosts\": [\"algo-1\"]}"), "resourceconfig.json", "current_host");
        assertKeyError(
                job().resourceConfig("{\"current_host\": \"algo-1\", \"hosts\": []}"), "resourceconfig.json", "hosts");
        assertKeyError(
                job().resourceConfig("{\"current_host\": \"algo-1\", \"hosts\": \"algo-1\"}"),
                "resourceconfig.json",
                "hosts");
        assertKeyError(
                job().resourceConfig("{\"current_host\": \"algo-1\", \"hosts\": [\"algo-1\", 2]}"),
                "resourceconfig.json",
                "hosts[1]");
        assertKeyError(
                job().resourceConfig("{\"current_host\": 1, \"hosts\": [\"algo-1\"]}"),
                "resourceconfig.json",
                "current_host");
        assertKeyError(
                job().resourceConfig(
                                "{\"current_host\": \"a\", \"hosts\": [\"a\"], \"instance_groups\": [{\"hosts\": []}]}"),
                "resourceconfig.json",
                "instance_groups[0].instance_group_name");
        assertKeyError(job().hyperparameters("[1, 2]"), "hyperparameters.json", null);
    }

    @Test
    void unexportableValuesAreRefusedBeforeAnythingIsExported() throws IOException {
        assertKeyError(job().hyperparameters("{\"a=b\": \"1\"}"), "hyperparameters.json", "a=b");
        assertKeyError(job().hyperparameters("{\"nul\": \"\\\"a\\\\u0000b\\\"\"}"), "hyperparameters.json", "nul");
        assertKeyError(job().hyperparameters("{\"half\": \"\\\"\\\\ud800\\\"\"}"), "hyperparameters.json", "half");
        assertKeyError(job().inputDataConfig("{\"x=y\": {}}"), "inputdataconfig.json", "x=y");
        // inside JSON values the same characters are escaped, so they are fine there
        assertEquals(
                "[\"\\u0000\"]",
                job().hyperparameters("{\"list\": \"[\\\"\\\\u0000\\\"]\"}")
                        .read()
                        .envVars()
                        .get("SM_HP_LIST"));
    }

    private static void assertKeyError(JobFolder job, String file, String key) {
        EnvironmentException e = assertThrows(EnvironmentException.class, job::read);
        assertTrue(e.file().isPresent() && e.file().get().endsWith(file), e.getMessage());
        assertEquals(Optional.ofNullable(key), e.key(), e.getMessage());
        assertTrue(e.getMessage().contains(file), e.getMessage());
    }

    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}
