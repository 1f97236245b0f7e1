package io.smcontainers.launcher.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the built distribution ({@code target/dist/bin/...}) as a real child process. */
public final class Toolkit {
    public static final Path DIST =
            Paths.get(System.getProperty("smc.dist", "target/dist")).toAbsolutePath();

    private Toolkit() {}

    /** The finished run: exit code and both streams. */
    public record Run(int exitCode, String stdout, String stderr) {}

    /** Starts {@code bin/<program> args} with the test's environment plus {@code environment}; output goes to files in {@code logs}. */
    public static Process start(Path logs, Map<String, String> environment, String program, String... args)
            throws IOException {
        List<String> argv = new ArrayList<>();
        argv.add(DIST.resolve("bin").resolve(program).toString());
        argv.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(argv)
                .redirectOutput(Files.createDirectories(logs).resolve("stdout").toFile())
                .redirectError(logs.resolve("stderr").toFile());
        builder.environment().putAll(environment);
        builder.environment().putIfAbsent("SMC_PYTHON", "/usr/bin/python3");
        return builder.start();
    }

    public static Run finish(Process process, Path logs, long timeoutSeconds) throws IOException, InterruptedException {
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new AssertionError(
                    "did not finish within " + timeoutSeconds + " s; stderr:\n" + read(logs.resolve("stderr")));
        }
        return new Run(process.exitValue(), read(logs.resolve("stdout")), read(logs.resolve("stderr")));
    }

    public static Run run(Path logs, Map<String, String> environment, String program, String... args)
            throws IOException, InterruptedException {
        return finish(start(logs, environment, program, args), logs, 180);
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }
}
