package io.smcontainers.launcher.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcontainers.launcher.error.LauncherException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InterpretersTest {
    @Test
    void smcPythonWinsOverPath(@TempDir Path tmp) throws IOException {
        Path bin = python3In(tmp.resolve("bin"));
        assertEquals(
                "/opt/py/bin/python",
                Interpreters.python(Map.of("SMC_PYTHON", "/opt/py/bin/python", "PATH", bin.toString())));
    }

    @Test
    void theFirstExecutablePython3OnPathIsTakenWithItsAbsolutePath(@TempDir Path tmp) throws IOException {
        Path notExecutable = Files.createDirectories(tmp.resolve("a"));
        Files.writeString(notExecutable.resolve("python3"), "");
        Path directory = Files.createDirectories(tmp.resolve("b/python3")).getParent();
        Path bin = python3In(tmp.resolve("c"));
        python3In(tmp.resolve("d"));
        String path = String.join(
                ":",
                tmp.resolve("missing").toString(),
                notExecutable.toString(),
                directory.toString(),
                bin.toString(),
                tmp.resolve("d").toString());
        assertEquals(bin.resolve("python3").toString(), Interpreters.python(Map.of("PATH", path, "SMC_PYTHON", "")));
    }

    @Test
    void noPython3IsAPlatformErrorNamingThePath(@TempDir Path tmp) {
        LauncherException e =
                assertThrows(LauncherException.class, () -> Interpreters.python(Map.of("PATH", tmp.toString())));
        assertEquals(LauncherException.Category.PLATFORM, e.category());
        assertEquals(2, e.exitCode());
        assertTrue(
                e.getMessage().startsWith("python3 was not found on PATH (" + tmp + "): install Python 3"),
                e.getMessage());
    }

    private static Path python3In(Path directory) throws IOException {
        Files.createDirectories(directory);
        Files.createFile(
                directory.resolve("python3"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        return directory;
    }
}
