package io.smcontainers.gpu.probe.testing;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * Fake {@code nvidia-smi} / {@code neuron-ls} executables in one directory: {@code /bin/sh} scripts that record each
 * call, check their arguments like the real tool would (exit 64 on anything unexpected) and print recorded output
 * of the real tool verbatim.
 */
public final class FakeCommands {

    /** Where the recorded outputs live on the test class path. */
    private static final String RESOURCES = "/io/smcontainers/gpu/probe/fakes/";

    private final Path directory;

    public FakeCommands(Path directory) {
        this.directory = requireNonNull(directory, "directory is null");
    }

    public Path directory() {
        return directory;
    }

    /** The search path with just this directory. */
    public List<Path> searchPath() {
        return List.of(directory);
    }

    /**
     * Writes an executable {@code name} that, when called with exactly {@code expectedArguments}, prints the
     * recorded output {@code resource} (relative to the fakes folder) to stdout and exits with {@code exitCode}.
     */
    public Path printing(String name, String expectedArguments, String resource, int exitCode) {
        try (InputStream in = FakeCommands.class.getResourceAsStream(RESOURCES + resource)) {
            if (in == null) {
                throw new IllegalArgumentException("No test resource " + RESOURCES + resource);
            }
            return printingBytes(name, expectedArguments, in.readAllBytes(), exitCode);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes an executable {@code name} that prints {@code bytes} verbatim and exits with {@code exitCode}. */
    public Path printingBytes(String name, String expectedArguments, byte[] bytes, int exitCode) {
        Path output = directory.resolve(name + ".out");
        try {
            Files.write(output, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return script(name, expectedArguments, "cat '" + output + "'\nexit " + exitCode);
    }

    /**
     * Writes an executable {@code name} that records the call, checks its arguments, then runs {@code body}
     * (shell). {@code $FAKE_DIR} in the body is this directory.
     */
    public Path script(String name, String expectedArguments, String body) {
        String text = "#!/bin/sh\n"
                + "FAKE_DIR='" + directory + "'\n"
                + "echo \"$*\" >> \"$FAKE_DIR/" + name + ".calls\"\n"
                + "if [ \"$*\" != '" + expectedArguments + "' ]; then\n"
                + "  echo \"fake " + name + ": unexpected arguments: $*\" >&2\n"
                + "  exit 64\n"
                + "fi\n"
                + body + "\n";
        return executable(name, text);
    }

    /** Writes {@code content} to {@code name} with mode 755. */
    public Path executable(String name, String content) {
        Path file = directory.resolve(name);
        try {
            Files.writeString(file, content, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** How many times the fake {@code name} was run. */
    public int calls(String name) {
        Path calls = directory.resolve(name + ".calls");
        try {
            return Files.exists(calls)
                    ? Files.readAllLines(calls, StandardCharsets.UTF_8).size()
                    : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads a pid a fake wrote with {@code echo $! > "$FAKE_DIR/<file>"}. */
    public long pid(String file) {
        try {
            return Long.parseLong(Files.readString(directory.resolve(file), StandardCharsets.UTF_8)
                    .strip());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Whether process {@code pid} is still running: it has a {@code /proc} entry that is not a zombie (a killed
     * process whose parent has not reaped it yet is not running).
     */
    public static boolean isRunning(long pid) {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        try {
            String text = Files.readString(stat, StandardCharsets.UTF_8);
            char state = text.charAt(text.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Kills {@code pid} if it is still a running {@code sleep} (cleanup for fakes that leave a {@code sleep} behind;
     * the check keeps a recycled pid safe).
     */
    public static void killSleep(long pid) {
        ProcessHandle.of(pid)
                .filter(handle -> handle.info()
                        .command()
                        .map(command -> command.endsWith("/sleep"))
                        .orElse(false))
                .ifPresent(ProcessHandle::destroyForcibly);
    }
}
