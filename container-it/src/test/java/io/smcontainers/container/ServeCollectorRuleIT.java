package io.smcontainers.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcontainers.container.testing.Container;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The collector {@code bin/sagemaker-toolkit} picks for {@code serve} (serving-netty/README.md, "Garbage collector"):
 * serial below 4 CPUs or 2 GiB of heap, ZGC from 8 CPUs and 16 GiB, G1 between; {@code SMC_SERVE_GC} forces one and a
 * collector in {@code SMC_JAVA_OPTS} wins over both. The script runs for real from the unpacked distribution, with a
 * {@code java} that prints the options it was given and an {@code nproc} that reports the CPUs of the case. A cgroup
 * CPU quota on the machine running the test can only lower the count, and the expectations take it into account.
 */
class ServeCollectorRuleIT {
    @TempDir
    Path temp;

    private Path fakeJavaHome;
    private Path fakeBin;

    record Run(int exit, List<String> javaArgs, String stderr) {
        List<String> collectors() {
            return javaArgs.stream()
                    .filter(arg -> arg.startsWith("-XX:+Use") && arg.endsWith("GC"))
                    .toList();
        }
    }

    @BeforeEach
    void fakes() throws IOException {
        fakeJavaHome = temp.resolve("jdk");
        Files.createDirectories(fakeJavaHome.resolve("bin"));
        script(fakeJavaHome.resolve("bin/java"), "for a in \"$@\"; do printf '%s\\n' \"$a\"; done\n");
        fakeBin = temp.resolve("bin");
        Files.createDirectories(fakeBin);
    }

    @Test
    void fewerThanFourCpusIsSerialWhateverTheHeap() throws Exception {
        assertEquals(
                List.of("-XX:+UseSerialGC"),
                serve(2, Map.of("SMC_JAVA_OPTS", "-Xmx64g")).collectors());
        assertEquals(List.of("-XX:+UseSerialGC"), serve(3, Map.of()).collectors());
    }

    @Test
    void lessThanTwoGibOfHeapIsSerialWhateverTheCpus() throws Exception {
        for (String xmx : List.of("-Xmx1g", "-Xmx2047m", "-Xmx2096000k", "-Xmx1073741824")) {
            assertEquals(
                    List.of("-XX:+UseSerialGC"),
                    serve(16, Map.of("SMC_JAVA_OPTS", xmx)).collectors(),
                    xmx);
        }
    }

    @Test
    void betweenTheLinesIsG1() throws Exception {
        String expected = cpusAtMost(16) >= 4 ? "-XX:+UseG1GC" : "-XX:+UseSerialGC";
        for (String xmx : List.of("-Xmx2g", "-Xmx4096m", "-Xmx16g")) {
            assertEquals(
                    List.of(expected), serve(4, Map.of("SMC_JAVA_OPTS", xmx)).collectors(), "4 CPUs, " + xmx);
        }
        assertEquals(
                List.of(expected),
                serve(16, Map.of("SMC_JAVA_OPTS", "-Xmx15g")).collectors(),
                "16 CPUs, just under 16 GiB");
    }

    @Test
    void eightCpusAndSixteenGibIsZgc() throws Exception {
        int cpus = cpusAtMost(8);
        String expected = cpus >= 8 ? "-XX:+UseZGC" : cpus >= 4 ? "-XX:+UseG1GC" : "-XX:+UseSerialGC";
        assertEquals(
                List.of(expected), serve(8, Map.of("SMC_JAVA_OPTS", "-Xmx16g")).collectors());
        assertEquals(
                List.of(expected),
                serve(64, Map.of("SMC_JAVA_OPTS", "-Xmx200g")).collectors());
    }

    @Test
    void smcServeGcForcesTheCollector() throws Exception {
        assertEquals(
                List.of("-XX:+UseG1GC"), serve(2, Map.of("SMC_SERVE_GC", "g1")).collectors());
        assertEquals(
                List.of("-XX:+UseZGC"), serve(2, Map.of("SMC_SERVE_GC", "z")).collectors());
        assertEquals(
                List.of("-XX:+UseSerialGC"),
                serve(64, Map.of("SMC_SERVE_GC", "serial", "SMC_JAVA_OPTS", "-Xmx200g"))
                        .collectors());
    }

    @Test
    void aBadSmcServeGcIsAnErrorNamingItAndStartsNoJvm() throws Exception {
        Run run = serve(2, Map.of("SMC_SERVE_GC", "parallel"));
        assertEquals(2, run.exit(), run.stderr());
        assertTrue(run.stderr().contains("SMC_SERVE_GC must be serial, g1, z or auto, not 'parallel'"), run.stderr());
        assertEquals(List.of(), run.javaArgs(), "java was not started");
    }

    @Test
    void aCollectorInSmcJavaOptsWinsOverTheRuleAndTheVariable() throws Exception {
        Run run = serve(64, Map.of("SMC_JAVA_OPTS", "-Xmx200g -XX:+UseParallelGC", "SMC_SERVE_GC", "z"));
        assertEquals(0, run.exit(), run.stderr());
        assertEquals(List.of("-XX:+UseParallelGC"), run.collectors());
    }

    @Test
    void trainIsNotServesRule() throws Exception {
        Run run = toolkit(64, Map.of("SMC_JAVA_OPTS", "-Xmx200g"), "train");
        assertEquals(List.of("-XX:+UseSerialGC"), run.collectors());
        assertTrue(
                run.javaArgs().contains("-XX:TieredStopAtLevel=1"),
                run.javaArgs().toString());
        assertFalse(
                run.javaArgs().contains("-XX:MaxRAMPercentage=75"),
                run.javaArgs().toString());
    }

    private Run serve(int cpus, Map<String, String> env) throws Exception {
        Run run = toolkit(cpus, env, "serve");
        if (run.exit() == 0) {
            assertTrue(
                    run.javaArgs().contains("-XX:MaxRAMPercentage=75"),
                    run.javaArgs().toString());
            assertEquals(
                    "serve",
                    run.javaArgs().get(run.javaArgs().size() - 1),
                    run.javaArgs().toString());
        }
        return run;
    }

    private Run toolkit(int cpus, Map<String, String> env, String command) throws Exception {
        script(fakeBin.resolve("nproc"), "echo " + cpus + "\n");
        ProcessBuilder builder = new ProcessBuilder(
                Container.DIST.resolve("bin/sagemaker-toolkit").toString(), command);
        Map<String, String> environment = builder.environment();
        environment.remove("SMC_JAVA_OPTS");
        environment.remove("SMC_SERVE_GC");
        Map<String, String> all = new HashMap<>(env);
        all.put("JAVA_HOME", fakeJavaHome.toString());
        all.put("PATH", fakeBin + ":" + System.getenv("PATH"));
        environment.putAll(all);
        Path err = temp.resolve("stderr");
        builder.redirectError(err.toFile());
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the script ended");
        return new Run(process.exitValue(), out.lines().toList(), Files.readString(err));
    }

    /** {@code cpus}, lowered to this machine's cgroup CPU quota as the script reads it. */
    private static int cpusAtMost(int cpus) throws IOException {
        Path v2 = Path.of("/sys/fs/cgroup/cpu.max");
        Path v1 = Path.of("/sys/fs/cgroup/cpu/cpu.cfs_quota_us");
        String quota;
        String period;
        if (Files.isReadable(v2)) {
            String[] parts = Files.readString(v2).trim().split("\\s+");
            quota = parts[0];
            period = parts.length > 1 ? parts[1] : "100000";
        } else if (Files.isReadable(v1)) {
            quota = Files.readString(v1).trim();
            period = Files.readString(Path.of("/sys/fs/cgroup/cpu/cpu.cfs_period_us"))
                    .trim();
        } else {
            return cpus;
        }
        if (!quota.matches("[0-9]+")) {
            return cpus;
        }
        long p = Long.parseLong(period);
        return (int) Math.min(cpus, (Long.parseLong(quota) + p - 1) / p);
    }

    private static void script(Path path, String body) throws IOException {
        Files.writeString(path, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
