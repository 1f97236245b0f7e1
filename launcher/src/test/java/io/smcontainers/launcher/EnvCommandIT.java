package io.smcontainers.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcontainers.env.core.PyJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code bin/sagemaker-toolkit env} from the built distribution, on every recorded case of the reference:
 * the hardware pins come from fake {@code nvidia-smi}/{@code neuron-ls} on PATH and the JVM's CPU count.
 */
class EnvCommandIT {
    static final Path DIST = Path.of("target", "dist").toAbsolutePath();
    static final Path FIXTURES = Path.of("..", "env-core", "src", "test", "resources", "fixtures", "training-env")
            .toAbsolutePath();

    /** The fixtures the reference crashes on: true where we refuse the job, false where we read it tolerantly. */
    private static final Map<String, Boolean> REFUSED = Map.of("empty_hosts_crash", true, "hp_file_bom_crash", false);

    @TempDir
    Path temp;

    static List<String> cases() throws IOException {
        try (Stream<Path> folders = Files.list(FIXTURES)) {
            return folders.filter(Files::isDirectory)
                    .map(p -> p.getFileName().toString())
                    .sorted()
                    .toList();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    @SuppressWarnings("unchecked")
    void printsWhatTheReferenceExports(String name) throws Exception {
        Path fixture = FIXTURES.resolve(name);
        Path base = copy(fixture, temp.resolve("ml"));
        Map<String, Object> pins = (Map<String, Object>) PyJson.loads(Files.readString(fixture.resolve("case.json")));
        Map<String, Object> expected =
                (Map<String, Object>) PyJson.loads(Files.readString(fixture.resolve("expected.json")));

        Map<String, String> environment = new LinkedHashMap<>();
        ((Map<String, Object>) PyJson.loads(Files.readString(fixture.resolve("env.json"))))
                .forEach((k, v) -> environment.put(k, (String) v));
        environment.put("SAGEMAKER_BASE_DIR", base.toString());
        environment.put("PATH", fakeTools(pin(pins, "num_gpus", 0), pin(pins, "num_neurons", 0)) + ":/usr/bin:/bin");
        environment.put("SMC_JAVA_OPTS", "-XX:ActiveProcessorCount=" + pin(pins, "num_cpus", 4));

        Result result = run(environment, "env", "--json");
        List<Object> failsAt = (List<Object>) expected.get("fails_at");
        if (failsAt != null && !failsAt.isEmpty()) {
            // where the reference crashes, the outcome is pinned per case (env-core's README, "Where we deliberately
            // differ")
            assertTrue(REFUSED.containsKey(name), "pin the outcome of " + name + " in REFUSED");
            if (REFUSED.get(name)) {
                assertEquals(1, result.code, result.stderr);
                assertTrue(result.stderr.contains("input/config/"), "names the file: " + result.stderr);
                assertEquals("", result.stdout);
            } else {
                assertEquals(0, result.code, result.stderr);
                Map<String, Object> printed = (Map<String, Object>) PyJson.loads(result.stdout.strip());
                assertTrue(
                        ((Map<String, Object>) printed.get("env_vars")).containsKey("SM_TRAINING_ENV"), result.stdout);
            }
            return;
        }
        assertEquals(0, result.code, result.stderr);
        Map<String, Object> printed = (Map<String, Object>) PyJson.loads(result.stdout.strip());
        Map<String, Object> actualVars = new TreeMap<>();
        ((Map<String, Object>) printed.get("env_vars"))
                .forEach((k, v) -> actualVars.put(k, ((String) v).replace(base.toString(), "/opt/ml")));
        assertEquals(new TreeMap<>((Map<String, Object>) expected.get("env_vars")), actualVars);
        List<Object> actualArgs = new ArrayList<>();
        ((List<Object>) printed.get("cmd_args"))
                .forEach(a -> actualArgs.add(((String) a).replace(base.toString(), "/opt/ml")));
        assertEquals(expected.get("cmd_args"), actualArgs);
    }

    @Test
    void plainOutputIsOneVariablePerLineInBuildOrder() throws Exception {
        Path base = copy(FIXTURES.resolve("minimal_single_host"), temp.resolve("ml"));
        Result result = run(Map.of("SAGEMAKER_BASE_DIR", base.toString(), "PATH", "/usr/bin:/bin"), "env");
        assertEquals(0, result.code, result.stderr);
        List<String> lines = result.stdout.lines().toList();
        assertEquals("SM_HOSTS=[\"algo-1\"]", lines.get(0));
        assertEquals("SM_NETWORK_INTERFACE_NAME=eth0", lines.get(1));
        assertTrue(lines.contains("SM_CHANNEL_TRAINING=" + base + "/input/data/training"), result.stdout);
    }

    @Test
    void badJobFolderExitsOneWithTheFileAndKeyOnStderr() throws Exception {
        Path base = copy(FIXTURES.resolve("minimal_single_host"), temp.resolve("ml"));
        Files.writeString(base.resolve("input/config/resourceconfig.json"), "{\"hosts\": [\"algo-1\"]}");
        Result result = run(Map.of("SAGEMAKER_BASE_DIR", base.toString(), "PATH", "/usr/bin:/bin"), "env", "--json");
        assertEquals(1, result.code);
        assertTrue(result.stderr.contains("resourceconfig.json: key 'current_host': missing"), result.stderr);
        assertEquals("", result.stdout);

        Files.writeString(
                base.resolve("input/config/resourceconfig.json"),
                "{\"current_host\": \"algo-1\", \"hosts\": [\"algo-1\"]");
        Result truncated = run(Map.of("SAGEMAKER_BASE_DIR", base.toString(), "PATH", "/usr/bin:/bin"), "env");
        assertEquals(1, truncated.code);
        assertTrue(truncated.stderr.contains("resourceconfig.json: not valid JSON"), truncated.stderr);
    }

    @Test
    void unknownOptionIsAUsageError() throws Exception {
        Result result = run(Map.of("PATH", "/usr/bin:/bin", "SAGEMAKER_BASE_DIR", temp.toString()), "env", "--yaml");
        assertEquals(2, result.code);
        assertTrue(result.stderr.contains("unknown option '--yaml'"), result.stderr);
    }

    private static int pin(Map<String, Object> pins, String key, int fallback) {
        Object value = pins.get(key);
        return value == null ? fallback : ((Number) value).intValue();
    }

    /** nvidia-smi and neuron-ls that print what the real ones print for that many devices. */
    private Path fakeTools(int gpus, int neuronCores) throws IOException {
        Path bin = Files.createDirectories(temp.resolve("fake-bin"));
        StringBuilder gpuLines = new StringBuilder();
        for (int i = 0; i < gpus; i++) {
            gpuLines.append("GPU ")
                    .append(i)
                    .append(": NVIDIA A100-SXM4-40GB (UUID: GPU-5e9c1b55-2d29-8f1c-3c63-8a6b1a3d5f1")
                    .append(i)
                    .append(")\n");
        }
        String nvidia = gpus == 0
                ? "#!/bin/sh\necho 'NVIDIA-SMI has failed because it couldn'\"'\"'t communicate with the NVIDIA driver.'\nexit 9\n"
                : "#!/bin/sh\n[ \"$1\" = --list-gpus ] || exit 2\ncat <<'EOF'\n" + gpuLines + "EOF\n";
        String neuron = neuronCores == 0
                ? "#!/bin/sh\necho 'error: Failed to discover Neuron devices' >&2\nexit 1\n"
                : "#!/bin/sh\necho '[{\"neuron_device\":0,\"bdf\":\"00:1e.0\",\"connected_to\":null,\"nc_count\":"
                        + neuronCores + ",\"memory_size\":34359738368,\"neuron_processes\":[]}]'\n";
        write(bin.resolve("nvidia-smi"), nvidia);
        write(bin.resolve("neuron-ls"), neuron);
        return bin;
    }

    private static void write(Path file, String content) throws IOException {
        Files.writeString(file, content, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    static Path copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path source : files.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        return to;
    }

    record Result(int code, String stdout, String stderr) {}

    static Result run(Map<String, String> environment, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(DIST.resolve("bin/sagemaker-toolkit").toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().clear();
        builder.environment().putAll(environment);
        builder.environment().putIfAbsent("HOME", System.getProperty("java.io.tmpdir"));
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Path stdout = Files.createTempFile("env-out", ".txt");
        Path stderr = Files.createTempFile("env-err", ".txt");
        builder.redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process process = builder.start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("sagemaker-toolkit did not finish within 60 s");
        }
        Result result = new Result(process.exitValue(), Files.readString(stdout), Files.readString(stderr));
        Files.delete(stdout);
        Files.delete(stderr);
        return result;
    }
}
