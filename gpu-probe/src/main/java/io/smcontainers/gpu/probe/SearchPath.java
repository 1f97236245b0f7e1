package io.smcontainers.gpu.probe;

import static java.util.Objects.requireNonNull;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The directories searched for an executable, in order, the way {@code which} and Python's {@code subprocess} search
 * {@code PATH}: the first regular file that is executable wins; directories and non-executable files are skipped.
 * The one {@code PATH} lookup of the reactor: the probe's commands and {@code smddprun}/{@code smddpmprun}, and the
 * launcher's {@code python3}.
 *
 * @param directories absolute directories, in search order
 */
public record SearchPath(List<Path> directories) {

    /** Python's {@code os.defpath}: what {@code subprocess} searches when the environment has no {@code PATH}. */
    public static final String DEFAULT_PATH = "/bin:/usr/bin";

    public SearchPath {
        requireNonNull(directories, "directories is null");
        List<Path> absolute = new ArrayList<>(directories.size());
        for (Path directory : directories) {
            absolute.add(
                    requireNonNull(directory, "a search path directory is null").toAbsolutePath());
        }
        directories = List.copyOf(absolute);
    }

    /**
     * Splits a {@code PATH} value on {@code :}. An empty element means the current directory, as it does for
     * {@code which} and {@code execvp}; relative elements are resolved against the current directory. Elements that
     * are not valid paths are dropped (nothing can be found there).
     */
    public static SearchPath parse(String pathVariable) {
        requireNonNull(pathVariable, "pathVariable is null");
        List<Path> directories = new ArrayList<>();
        for (String element : pathVariable.split(":", -1)) {
            try {
                directories.add(Path.of(element));
            } catch (InvalidPathException e) {
                // e.g. a NUL character: no file can live there, so there is nothing to search
            }
        }
        return new SearchPath(directories);
    }

    /** The {@code PATH} of {@code environment}, or {@link #DEFAULT_PATH} when it has none, as {@link #parse}. */
    public static SearchPath fromEnvironment(Map<String, String> environment) {
        requireNonNull(environment, "environment is null");
        String path = environment.get("PATH");
        return parse(path == null ? DEFAULT_PATH : path);
    }

    /**
     * The first executable regular file called {@code name} in the search directories, or empty.
     *
     * @throws IllegalArgumentException if {@code name} is empty or contains {@code /}
     */
    public Optional<Path> find(String name) {
        requireNonNull(name, "executable name is null");
        if (name.isEmpty() || name.indexOf('/') >= 0 || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(
                    "Executable name must be a bare file name such as \"nvidia-smi\", got \"" + name + "\"");
        }
        for (Path directory : directories) {
            Path candidate = directory.resolve(name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return directories.toString();
    }
}
