package io.smcontainers.env.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every recorded case of the reference toolkit, through the library API, byte for byte. */
class TrainingEnvFixturesTest {
    @TempDir
    Path temp;

    static List<FixtureCase> cases() {
        return FixtureCase.all();
    }

    static List<FixtureCase> passingCases() {
        return cases().stream().filter(c -> !c.failsInReference()).toList();
    }

    static List<FixtureCase> failingCases() {
        return cases().stream().filter(FixtureCase::failsInReference).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("passingCases")
    void exportsExactlyWhatTheReferenceExports(FixtureCase fixture) throws IOException {
        Path base = fixture.copyTo(temp.resolve("opt-ml"));
        TrainingEnv env = read(fixture, base);

        Map<String, String> expected = new TreeMap<>();
        fixture.expectedEnvVars().forEach((k, v) -> expected.put(k, (String) v));
        Map<String, String> actual = new TreeMap<>();
        env.envVars().forEach((k, v) -> actual.put(k, v.replace(base.toString(), "/opt/ml")));
        assertEquals(expected.keySet(), actual.keySet(), "variable names");
        for (String name : expected.keySet()) {
            assertEquals(expected.get(name), actual.get(name), name);
        }

        List<String> args = new ArrayList<>();
        env.cmdArgs().forEach(a -> args.add(a.replace(base.toString(), "/opt/ml")));
        assertEquals(fixture.expectedCmdArgs(), args, "cmd_args");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failingCases")
    void refusesClearlyOrReadsTolerantlyWhereTheReferenceCrashes(FixtureCase fixture) throws IOException {
        Path base = fixture.copyTo(temp.resolve("opt-ml"));
        try {
            TrainingEnv env = read(fixture, base);
            // tolerant reading: then the result must be complete and self-consistent
            assertFalse(env.envVars().isEmpty());
            assertTrue(env.envVars().containsKey("SM_TRAINING_ENV"));
            assertEquals(env.toJson(), env.envVars().get("SM_TRAINING_ENV"));
        }
        catch (EnvironmentException e) {
            assertTrue(e.file().isPresent(), "names the file: " + e.getMessage());
            assertTrue(e.getMessage().contains(e.file().get().getFileName().toString()), e.getMessage());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("passingCases")
    void trainingEnvHasTheThirtySevenReferenceProperties(FixtureCase fixture) throws IOException {
        TrainingEnv env = read(fixture, fixture.copyTo(temp.resolve("opt-ml")));
        assertEquals(37, env.properties().size());
        assertEquals(env.toJson(), env.envVars().get("SM_TRAINING_ENV"));
    }

    static TrainingEnv read(FixtureCase fixture, Path base) {
        Map<String, String> environment = new LinkedHashMap<>(fixture.environment());
        environment.put("SAGEMAKER_BASE_DIR", base.toString());
        return TrainingEnv.read(environment, HardwareInfo.fixed(fixture.gpus(), fixture.neurons(), fixture.cpus()));
    }
}
