package io.smcontainers.env.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BaseDirTest {
    @TempDir
    Path temp;

    @Test
    void variableWinsEvenWhenOptMlExists() throws IOException {
        Path optMl = Files.createDirectories(temp.resolve("opt/ml"));
        Path chosen = temp.resolve("elsewhere");
        BaseDir dir = BaseDir.resolve(Map.of("SAGEMAKER_BASE_DIR", chosen.toString()), optMl, temp, "host", 0);
        assertEquals(chosen, dir.paths().base());
        assertEquals(Optional.empty(), dir.fallback());
        assertTrue(Files.isDirectory(chosen.resolve("code")), "code dir is created");
    }

    @Test
    void optMlIsUsedWhenItExists() throws IOException {
        Path optMl = Files.createDirectories(temp.resolve("opt/ml"));
        assertEquals(
                optMl, BaseDir.resolve(Map.of(), optMl, temp, "host", 0).paths().base());
    }

    @Test
    void localFallbackWritesTheReferenceFiles() throws IOException {
        BaseDir dir =
                BaseDir.resolve(Map.of(), temp.resolve("missing"), temp.resolve("home"), "my-host", 1716400000300L);
        Path base = temp.resolve("home/sagemaker_local/jobs/1716400000.3/opt/ml");
        assertEquals(Optional.of(base), dir.fallback());
        JobPaths paths = dir.paths();
        for (Path created : List.of(paths.model(), paths.inputConfig(), paths.outputData(), paths.code())) {
            assertTrue(Files.isDirectory(created), created.toString());
        }
        assertFalse(Files.exists(paths.inputData()));
        assertFalse(Files.exists(paths.intermediate()));
        assertEquals("{}", Files.readString(paths.hyperparametersFile()));
        assertEquals("{}", Files.readString(paths.inputDataConfigFile()));
        assertEquals(
                "{\"current_host\": \"my-host\", \"hosts\": [\"my-host\"], \"current_instance_group\": \"homogeneousCluster\", "
                        + "\"instance_groups\": [{\"instance_group_name\": \"homogeneousCluster\", \"instance_type\": \"local\", \"hosts\": [\"my-host\"]}]}",
                Files.readString(paths.resourceConfigFile()));

        TrainingEnv env = TrainingEnv.read(Map.of(), HardwareInfo.fixed(0, 0, 2), dir);
        assertEquals(base.toString(), env.toolkitVariables().get("SAGEMAKER_BASE_DIR"));
        assertEquals("homogeneousCluster", env.envVars().get("SM_CURRENT_INSTANCE_GROUP"));
        assertEquals("[\"my-host\"]", env.envVars().get("SM_CURRENT_INSTANCE_GROUP_HOSTS"));
        assertEquals("local", env.envVars().get("SM_CURRENT_INSTANCE_TYPE"));
        assertEquals("[\"homogeneousCluster\"]", env.envVars().get("SM_INSTANCE_GROUPS"));
        assertEquals("None", env.envVars().get("SM_MODULE_NAME"));
        assertEquals("", env.envVars().get("SM_USER_ENTRY_POINT"));
        assertEquals("[]", env.envVars().get("SM_CHANNELS"));
    }

    @Test
    void nonExistentBaseDirFailsOnTheFirstConfigFileWithExitCodeTwo() {
        Path missing = temp.resolve("nowhere");
        BaseDir dir =
                BaseDir.resolve(Map.of("SAGEMAKER_BASE_DIR", missing.toString()), temp.resolve("x"), temp, "h", 0);
        EnvironmentException e = org.junit.jupiter.api.Assertions.assertThrows(
                EnvironmentException.class, () -> TrainingEnv.read(Map.of(), HardwareInfo.fixed(0, 0, 1), dir));
        assertEquals(2, e.exitCode());
        assertTrue(Files.isDirectory(missing.resolve("code")));
    }

    @Test
    void channelPathsKeepTheNameVerbatim() {
        JobPaths paths = new JobPaths(Path.of("/opt/ml"));
        assertEquals("/opt/ml/input/data/a b", paths.channel("a b"));
        assertEquals("/opt/ml/input/data/", paths.channel(""));
        assertEquals("/opt/ml/output/failure", paths.failureFile().toString());
    }
}
