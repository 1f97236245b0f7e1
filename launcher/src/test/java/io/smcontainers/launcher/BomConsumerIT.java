package io.smcontainers.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A consumer project that imports our BOM and depends on env-core without a version builds, and its jar runs
 * against a job folder. Needs the reactor's artifacts in the local repository: run the build with
 * {@code mvn install} (README's test command), which installs every module before the launcher's ITs run.
 */
class BomConsumerIT {
    @TempDir
    Path temp;

    @Test
    void consumerImportsTheBomAndDependsWithoutVersions() throws Exception {
        Path project =
                EnvCommandIT.copy(Path.of("..", "examples", "bom-consumer").toAbsolutePath(), temp.resolve("consumer"));
        run(
                project,
                List.of(
                        "mvn",
                        "-B",
                        "-ntp",
                        "-q",
                        "package",
                        "dependency:build-classpath",
                        "-Dmdep.outputFile=cp.txt"));
        String classpath = project.resolve("target/classes") + ":"
                + Files.readString(project.resolve("cp.txt")).strip();
        assertTrue(classpath.contains("env-core"), classpath);

        Path job = EnvCommandIT.copy(EnvCommandIT.FIXTURES.resolve("hp_json_scalars"), temp.resolve("job"));
        ProcessBuilder java = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                classpath,
                "com.example.consumer.PrintArgs");
        java.environment().put("SAGEMAKER_BASE_DIR", job.toString());
        java.redirectError(ProcessBuilder.Redirect.DISCARD);
        String output = output(java);
        assertTrue(
                output.startsWith("--NULL_upper NULL --big_int 123456789012345678901234567890 --bool_false False"),
                output);
    }

    private static void run(Path directory, List<String> command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command)).directory(directory.toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        String output = output(builder);
        assertTrue(output.isEmpty() || !output.contains("BUILD FAILURE"), output);
    }

    /** Runs the process with its output in a file (so that the time limit can fire), killing it after 300 s. */
    private static String output(ProcessBuilder builder) throws IOException, InterruptedException {
        if (builder.redirectError() != ProcessBuilder.Redirect.DISCARD) {
            builder.redirectErrorStream(true);
        }
        Path log = Files.createTempFile("bom-consumer", ".log");
        try {
            Process process = builder.redirectOutput(log.toFile()).start();
            if (!process.waitFor(300, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(builder.command() + " did not finish within 300 s: " + Files.readString(log));
            }
            String output = Files.readString(log);
            assertEquals(0, process.exitValue(), output);
            return output;
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
