package io.smcontainers.gpu.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcontainers.gpu.probe.testing.FakeCommands;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SearchPathTest {

    private static final Path CWD = Path.of("").toAbsolutePath();

    @Test
    void parseSplitsOnColonsAndEmptyElementsMeanTheCurrentDirectory() {
        assertEquals(
                List.of(Path.of("/usr/local/bin"), CWD, Path.of("/usr/bin"), CWD),
                SearchPath.parse("/usr/local/bin::/usr/bin:").directories());
        assertEquals(List.of(CWD), SearchPath.parse("").directories());
        assertEquals(List.of(CWD, CWD), SearchPath.parse(":").directories());
    }

    @Test
    void relativeElementsAreResolvedAgainstTheCurrentDirectory() {
        assertEquals(
                List.of(CWD.resolve("bin"), Path.of("/bin")),
                SearchPath.parse("bin:/bin").directories());
    }

    @Test
    void elementsThatAreNotPathsAreDropped() {
        assertEquals(List.of(Path.of("/bin")), SearchPath.parse("/x\0y:/bin").directories());
    }

    @Test
    void theDefaultIsPythonsDefpath() {
        assertEquals(
                List.of(Path.of("/bin"), Path.of("/usr/bin")),
                SearchPath.parse(SearchPath.DEFAULT_PATH).directories());
    }

    @Test
    void fromEnvironmentReadsPathAndFallsBackToTheDefaultOnlyWhenItIsAbsent() {
        assertEquals(
                List.of(Path.of("/opt/x"), CWD),
                SearchPath.fromEnvironment(Map.of("PATH", "/opt/x:", "HOME", "/root"))
                        .directories());
        assertEquals(
                List.of(CWD), SearchPath.fromEnvironment(Map.of("PATH", "")).directories());
        assertEquals(
                List.of(Path.of("/bin"), Path.of("/usr/bin")),
                SearchPath.fromEnvironment(Map.of("HOME", "/root")).directories());
    }

    @Test
    void findReturnsTheFirstExecutableRegularFileInOrder(@TempDir Path tmp) throws IOException {
        Path a = Files.createDirectories(tmp.resolve("a"));
        Path b = Files.createDirectories(tmp.resolve("b"));
        Path c = Files.createDirectories(tmp.resolve("c"));
        Path d = Files.createDirectories(tmp.resolve("d"));
        // a: a directory with the name; b: a non-executable file; c: the executable; d: a second executable
        Files.createDirectories(a.resolve("smddprun"));
        Files.writeString(b.resolve("smddprun"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(b.resolve("smddprun"), PosixFilePermissions.fromString("rw-r--r--"));
        new FakeCommands(c).executable("smddprun", "#!/bin/sh\n");
        new FakeCommands(d).executable("smddprun", "#!/bin/sh\n");
        SearchPath searchPath = new SearchPath(List.of(tmp.resolve("missing"), a, b, c, d));

        assertEquals(Optional.of(c.resolve("smddprun")), searchPath.find("smddprun"));
        assertEquals(Optional.empty(), searchPath.find("smddpmprun"));
        assertEquals(Optional.empty(), new SearchPath(List.of(a, b)).find("smddprun"));
    }

    @Test
    void aSymlinkToAnExecutableCounts(@TempDir Path tmp) throws IOException {
        Path target = new FakeCommands(tmp).executable("real-tool", "#!/bin/sh\n");
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Files.createSymbolicLink(bin.resolve("tool"), target);
        Files.createSymbolicLink(bin.resolve("dangling"), tmp.resolve("nowhere"));
        SearchPath searchPath = new SearchPath(List.of(bin));

        assertEquals(Optional.of(bin.resolve("tool")), searchPath.find("tool"));
        assertEquals(Optional.empty(), searchPath.find("dangling"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "bin/nvidia-smi", "/usr/bin/nvidia-smi", "./nvidia-smi", "a\0b"})
    void findTakesABareName(String name) {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> SearchPath.parse("/bin").find(name));
        assertTrue(e.getMessage().startsWith("Executable name must be a bare file name"), e.getMessage());
    }

    @Test
    void nullsAreRejected() {
        assertThrows(NullPointerException.class, () -> SearchPath.parse(null));
        assertThrows(NullPointerException.class, () -> SearchPath.fromEnvironment(null));
        assertThrows(NullPointerException.class, () -> new SearchPath(null));
        assertThrows(NullPointerException.class, () -> new SearchPath(Arrays.asList(Path.of("/bin"), null)));
    }
}
