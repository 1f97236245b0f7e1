package io.smcontainers.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcontainers.container.testing.Container;
import io.smcontainers.container.testing.Jobs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sagemaker-toolkit warm-up} on a copy of the unpacked distribution: the archives it writes are used by the JVM
 * that wrote them and by no other, which starts without them and without a word about them.
 */
class WarmUpIT {
    private static final Path JAVA_HOME = Path.of(System.getProperty("java.home"));

    @TempDir
    Path temp;

    record Run(int exit, String output) {}

    @Test
    void writesArchivesForItsJvmWhichTrainAndServeStartWith() throws Exception {
        Path dist = copyOfDist();
        Run warmUp = run(dist, JAVA_HOME, Map.of(), "sagemaker-toolkit", "warm-up");
        assertEquals(0, warmUp.exit, warmUp.output);
        Path cache = dist.resolve("lib/jvm-cache");
        assertTrue(Files.size(cache.resolve("app.jsa")) > 1_000_000, warmUp.output);
        assertTrue(Files.size(cache.resolve("serve.jsa")) > 1_000_000, warmUp.output);
        assertEquals(
                JAVA_HOME.toRealPath() + " " + releaseLine(JAVA_HOME) + "\n", Files.readString(cache.resolve("jvm")));

        Run train = train(dist, JAVA_HOME);
        assertEquals(0, train.exit, train.output);
        assertTrue(
                train.output.contains("source: shared objects file (top)"), "train did not load classes from app.jsa");
        assertFalse(mentionsArchives(train.output), train.output);
    }

    @Test
    void anArchiveStampedForAnotherJvmIsIgnoredSilently() throws Exception {
        Path dist = copyOfDist();
        assertEquals(0, run(dist, JAVA_HOME, Map.of(), "sagemaker-toolkit", "warm-up").exit);
        Path stamp = dist.resolve("lib/jvm-cache/jvm");
        // the same JVM's archives under another JVM's name: a JDK upgraded in place, or another build of the same path
        Files.writeString(stamp, JAVA_HOME.toRealPath() + " JAVA_RUNTIME_VERSION=\"0.0.0+0-elsewhere\"\n");
        Run train = train(dist, JAVA_HOME);
        assertEquals(0, train.exit, train.output);
        assertFalse(train.output.contains("shared objects file (top)"), "app.jsa was used despite the stamp");
        assertFalse(mentionsArchives(train.output), train.output);
    }

    @Test
    void everyOtherInstalledJvmStartsWithoutTheArchivesAndSilently() throws Exception {
        List<Path> others = otherJvms();
        Path dist = copyOfDist();
        assertEquals(0, run(dist, JAVA_HOME, Map.of(), "sagemaker-toolkit", "warm-up").exit);
        for (Path other : others) {
            Run train = train(dist, other);
            assertEquals(0, train.exit, other + ": " + train.output);
            assertFalse(mentionsArchives(train.output), other + ": " + train.output);
            assertFalse(train.output.contains("shared objects file (top)"), other + " used app.jsa");
        }
        // and the other way round: archives written by another JVM (an AOT cache on JDK 25+) stay away from this one
        for (Path other : others) {
            Path theirs = copyOfDist();
            Run warmUp = run(theirs, other, Map.of(), "sagemaker-toolkit", "warm-up");
            assertEquals(0, warmUp.exit, other + ": " + warmUp.output);
            boolean aot = Files.exists(theirs.resolve("lib/jvm-cache/app.aot"));
            assertEquals(feature(other) >= 25, aot, other + ": " + warmUp.output);
            Run train = train(theirs, JAVA_HOME);
            assertEquals(0, train.exit, train.output);
            assertFalse(mentionsArchives(train.output), train.output);
            Run own = train(theirs, other);
            assertEquals(0, own.exit, own.output);
            assertFalse(mentionsArchives(own.output), own.output);
            assertTrue(own.output.contains("source: shared objects file"), other + " did not use its own archive");
        }
    }

    private static boolean mentionsArchives(String output) {
        return output.lines()
                .anyMatch(line -> line.contains("[cds")
                        || line.contains("[aot")
                        || line.contains("shared archive")
                        || line.contains("AOT cache")
                        || line.contains("SharedArchiveFile"));
    }

    private Run train(Path dist, Path javaHome) throws IOException, InterruptedException {
        Path job = Jobs.training(Files.createTempDirectory(temp, "job"), "exit 0\n");
        return run(
                dist,
                javaHome,
                Map.of(
                        "SAGEMAKER_BASE_DIR",
                        job.toString(),
                        "SAGEMAKER_PROGRAM",
                        "train.sh",
                        "SMC_JAVA_OPTS",
                        "-Xlog:class+load=info"),
                "train");
    }

    private Run run(Path dist, Path javaHome, Map<String, String> environment, String program, String... args)
            throws IOException, InterruptedException {
        List<String> argv =
                new ArrayList<>(List.of(dist.resolve("bin").resolve(program).toString()));
        argv.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(argv)
                .redirectErrorStream(true)
                .redirectOutput(temp.resolve("out").toFile());
        builder.environment().put("JAVA_HOME", javaHome.toString());
        builder.environment().putAll(environment);
        Process process = builder.start();
        if (!process.waitFor(300, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(program + " did not finish in 300 s");
        }
        return new Run(process.exitValue(), Files.readString(temp.resolve("out"), StandardCharsets.UTF_8));
    }

    private Path copyOfDist() throws IOException {
        Path copy = Files.createTempDirectory(temp, "dist");
        try (Stream<Path> files = Files.walk(Container.DIST)) {
            for (Path source : files.toList()) {
                Path target = copy.resolve(Container.DIST.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        return copy;
    }

    /** JDKs under /usr/lib/jvm other than the one running the tests (Temurin 25 on the development machine; none in CI). */
    private static List<Path> otherJvms() throws IOException {
        Path own = JAVA_HOME.toRealPath();
        List<Path> others = new ArrayList<>();
        Path jvms = Path.of("/usr/lib/jvm");
        if (Files.isDirectory(jvms)) {
            try (Stream<Path> entries = Files.list(jvms)) {
                for (Path entry : entries.sorted().toList()) {
                    Path real = entry.toRealPath();
                    if (!Files.isSymbolicLink(entry)
                            && Files.isExecutable(real.resolve("bin/java"))
                            && !real.equals(own)
                            && !others.contains(real)
                            && Files.isRegularFile(real.resolve("release"))) {
                        others.add(real);
                    }
                }
            }
        }
        return others;
    }

    private static int feature(Path javaHome) throws IOException {
        String line = releaseLine(javaHome);
        String version = line.substring(line.indexOf('"') + 1);
        return Integer.parseInt(version.split("[.+\"-]")[0]);
    }

    private static String releaseLine(Path javaHome) throws IOException {
        return Files.readAllLines(javaHome.resolve("release")).stream()
                .filter(l -> l.startsWith("JAVA_RUNTIME_VERSION="))
                .findFirst()
                .orElse("");
    }
}
