package io.smcontainers.env.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** One recorded case of {@code fixtures/training-env}: inputs, pins and the reference's output. */
record FixtureCase(
        String name,
        Path folder,
        Map<String, String> environment,
        int gpus,
        int cpus,
        int neurons,
        Map<String, Object> expected) {

    static List<FixtureCase> all() {
        try {
            Path root = Path.of(
                    FixtureCase.class.getResource("/fixtures/training-env").toURI());
            List<FixtureCase> cases = new ArrayList<>();
            try (Stream<Path> folders = Files.list(root)) {
                for (Path folder : folders.sorted().toList()) {
                    if (Files.isDirectory(folder)) {
                        cases.add(load(folder));
                    }
                }
            }
            return cases;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static FixtureCase load(Path folder) throws IOException {
        Map<String, Object> pins = (Map<String, Object>) json(folder.resolve("case.json"));
        Map<String, String> environment = new LinkedHashMap<>();
        ((Map<String, Object>) json(folder.resolve("env.json"))).forEach((k, v) -> environment.put(k, (String) v));
        return new FixtureCase(
                folder.getFileName().toString(),
                folder,
                environment,
                pin(pins, "num_gpus", 0),
                pin(pins, "num_cpus", 4),
                pin(pins, "num_neurons", 0),
                (Map<String, Object>) json(folder.resolve("expected.json")));
    }

    private static int pin(Map<String, Object> pins, String key, int fallback) {
        Object value = pins.get(key);
        return value == null ? fallback : ((Number) value).intValue();
    }

    static Object json(Path file) throws IOException {
        try {
            return PyJson.loads(Files.readString(file));
        } catch (PyJson.JsonSyntaxException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    boolean failsInReference() {
        Object failsAt = expected.get("fails_at");
        return failsAt instanceof List<?> list && !list.isEmpty();
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> expectedEnvVars() {
        return (Map<String, Object>) expected.get("env_vars");
    }

    @SuppressWarnings("unchecked")
    List<Object> expectedCmdArgs() {
        return (List<Object>) expected.get("cmd_args");
    }

    /** A writable copy of the case folder (the toolkit creates {@code code/} in the base dir). */
    Path copyTo(Path target) throws IOException {
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path source : files.toList()) {
                Path destination = target.resolve(folder.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(destination);
                } else {
                    Files.copy(source, destination, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        return target;
    }

    @Override
    public String toString() {
        return name;
    }
}
