package io.smcontainers.env.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

    /**
     * Where the reference crashes, what we do, pinned per case (env-core/README.md, "Where we deliberately differ"): the
     * file we name when we refuse, or empty when we read the job tolerantly. A new crashing fixture fails here until
     * its outcome is pinned.
     */
    static final Map<String, Optional<String>> CRASH_OUTCOMES = Map.of(
            "empty_hosts_crash", Optional.of("resourceconfig.json"),
            "hp_file_bom_crash", Optional.empty());

    @ParameterizedTest(name = "{0}")
    @MethodSource("failingCases")
    void refusesClearlyOrReadsTolerantlyWhereTheReferenceCrashes(FixtureCase fixture) throws IOException {
        assertTrue(
                CRASH_OUTCOMES.containsKey(fixture.name()),
                "pin the outcome of " + fixture.name() + " in CRASH_OUTCOMES");
        Optional<String> refusedFile = CRASH_OUTCOMES.get(fixture.name());
        Path base = fixture.copyTo(temp.resolve("opt-ml"));
        if (refusedFile.isPresent()) {
            EnvironmentException e = assertThrows(EnvironmentException.class, () -> read(fixture, base));
            assertEquals(
                    Optional.of(refusedFile.get()),
                    e.file().map(file -> file.getFileName().toString()),
                    e.getMessage());
            assertTrue(e.getMessage().contains(refusedFile.get()), e.getMessage());
        } else {
            TrainingEnv env = read(fixture, base);
            assertFalse(env.envVars().isEmpty());
            assertEquals(env.toJson(), env.envVars().get("SM_TRAINING_ENV"));
            assertEquals(37, env.properties().size());
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
