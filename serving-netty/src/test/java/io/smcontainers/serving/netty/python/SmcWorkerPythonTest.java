package io.smcontainers.serving.netty.python;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the worker's own Python unit tests ({@code src/test/python/test_*.py}: real worker processes driven over a
 * real Unix socket with real frames) so Surefire counts them. Prefers Debian's {@code /usr/bin/python3}, which has
 * numpy and scipy; the numpy cases skip themselves where numpy is missing.
 */
final class SmcWorkerPythonTest {
    private static final Path TESTS = Path.of("src", "test", "python");
    private static final Pattern RAN = Pattern.compile("^Ran (\\d+) tests? in", Pattern.MULTILINE);

    @Test
    void workerUnitTestsPass(@TempDir Path tmp) throws IOException, InterruptedException {
        Path log = tmp.resolve("unittest.log");
        Process process = new ProcessBuilder(
                        python(),
                        "-B",
                        "-m",
                        "unittest",
                        "discover",
                        "-s",
                        TESTS.toString(),
                        "-t",
                        TESTS.toString(),
                        "-p",
                        "test_*.py",
                        "-v")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .start();
        boolean finished = process.waitFor(5, TimeUnit.MINUTES);
        if (!finished) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor();
        }
        String output = Files.readString(log, UTF_8);
        assertTrue(finished, () -> "python unit tests did not finish within 5 minutes:\n" + output);
        assertEquals(0, process.exitValue(), () -> "python unit tests failed:\n" + output);
        Matcher ran = RAN.matcher(output);
        assertTrue(ran.find() && Integer.parseInt(ran.group(1)) >= 50, () -> "too few python tests ran:\n" + output);
    }

    private static String python() {
        Path debian = Path.of("/usr/bin/python3");
        return Files.isExecutable(debian) ? debian.toString() : "python3";
    }
}
