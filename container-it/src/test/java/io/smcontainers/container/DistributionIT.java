package io.smcontainers.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcontainers.container.testing.Container;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The distribution as an image build gets it: io.smcontainers:launcher:VERSION:tar.gz:dist, unpacked by dependency:unpack. */
class DistributionIT {
    private static final Path DIST = Container.DIST;
    private static final String VERSION = System.getProperty("smc.version");

    @Test
    void holdsTheEntryPointsLicenceNoticeAndVersion() throws Exception {
        for (String program : List.of("train", "serve", "sagemaker-toolkit")) {
            assertTrue(Files.isExecutable(DIST.resolve("bin").resolve(program)), program);
        }
        assertTrue(Files.readString(DIST.resolve("LICENSE")).contains("Apache License"));
        assertEquals(VERSION + "\n", Files.readString(DIST.resolve("VERSION")));
        // jar names keep their classifier; no start-up archive of the build's JVM travels
        assertTrue(Files.isRegularFile(DIST.resolve("lib/netty-transport-native-epoll-linux-x86_64.jar")));
        assertTrue(Files.isRegularFile(DIST.resolve("lib/launcher.jar")));
        assertFalse(Files.exists(DIST.resolve("lib/jvm-cache")));
    }

    @Test
    void shipsThePythonWorkerOfServingNettyWhenItsJarHasOne() throws Exception {
        String resource = "io/smcontainers/serving/netty/python/smc_worker.py";
        try (JarFile servingNetty =
                new JarFile(DIST.resolve("lib/serving-netty.jar").toFile())) {
            JarEntry worker = servingNetty.getJarEntry(resource);
            Path shipped = DIST.resolve("lib/python/smc_worker.py");
            if (worker == null) {
                assertFalse(Files.exists(shipped), "lib/python/smc_worker.py without a worker in serving-netty.jar");
            } else {
                try (InputStream in = servingNetty.getInputStream(worker)) {
                    assertEquals(new String(in.readAllBytes(), StandardCharsets.UTF_8), Files.readString(shipped));
                }
            }
        }
    }

    @Test
    void versionPrintsTheVersion() throws Exception {
        Process process = new ProcessBuilder(
                        DIST.resolve("bin/sagemaker-toolkit").toString(), "--version")
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), output);
        assertEquals("sagemaker-toolkit " + VERSION + "\n", output);
    }

    @Test
    void noticeNamesEveryThirdPartyJarWithItsLicence() throws Exception {
        String notice = Files.readString(DIST.resolve("NOTICE"));
        // one entry per library: "group:artifact:version", then indented lines (name and URL, "Licence: ...")
        List<String> entries = List.of(notice.split("\n(?=\\S)"));
        List<String> missing = new ArrayList<>();
        int thirdParty = 0;
        try (Stream<Path> jars = Files.list(DIST.resolve("lib"))) {
            for (Path jar :
                    jars.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
                String coordinates = coordinates(jar);
                if (coordinates.startsWith("io.smcontainers:")) {
                    continue;
                }
                thirdParty++;
                boolean exact = !coordinates.startsWith(":");
                boolean listed = entries.stream().anyMatch(entry -> {
                    String header = entry.lines().findFirst().orElse("");
                    return (exact ? header.equals(coordinates) : header.contains(coordinates))
                            && entry.lines()
                                    .anyMatch(line -> line.strip().startsWith("Licence: ")
                                            && line.strip().length() > "Licence: ".length());
                });
                if (!listed) {
                    missing.add(jar.getFileName() + " (" + coordinates + ")");
                }
            }
        }
        assertTrue(thirdParty > 30, "only " + thirdParty + " third-party jars");
        assertTrue(missing.isEmpty(), "NOTICE lacks " + missing);
    }

    /** groupId:artifactId:version from the jar's own pom.properties, else artifactId from the file name. */
    private static String coordinates(Path jar) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            List<JarEntry> poms = file.stream()
                    .filter(e -> e.getName().startsWith("META-INF/maven/")
                            && e.getName().endsWith("/pom.properties"))
                    .toList();
            if (poms.size() == 1) {
                Properties properties = new Properties();
                try (InputStream in = file.getInputStream(poms.get(0))) {
                    properties.load(in);
                }
                return properties.getProperty("groupId") + ":" + properties.getProperty("artifactId") + ":"
                        + properties.getProperty("version");
            }
        }
        String name = jar.getFileName().toString();
        return ":" + name.substring(0, name.length() - ".jar".length()) + ":";
    }
}
