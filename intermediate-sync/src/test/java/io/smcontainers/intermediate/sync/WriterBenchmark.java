package io.smcontainers.intermediate.sync;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;

/**
 * How much the sync slows a training process down, and how fast it drains, for two builds of the sync in the same
 * run: the baseline (main's classes, {@code -Dbench.baseline=<classes dir>}) and the current one. Not a test: run it
 * with {@code intermediate-sync/bench/writer.sh}.
 *
 * <p>Three processes, as in a job: the S3 server (S3Proxy in memory, child JVM on 127.0.0.1), the sync in its own JVM
 * (this class with {@code host}: starts {@link IntermediateSync} through its public API only, so that both builds run
 * the same host) and the "training", a writer JVM ({@link TrainingWriter}) that writes 2,000 files of 64 KB
 * and one of 256 MB into the intermediate folder and reports its own wall time. Rounds alternate the order of
 * "no sync", "baseline" and "current"; figures are medians. A second part measures the sync's drain rate without a
 * writer: files moved into the folder at once (many small, then a few large), timed to the end of {@code stop}; both
 * builds' JVMs run at nice {@code bench.drainNice} (the current build's threads' own level), so that other load on
 * a shared machine treats them alike and the figure is the sync's own speed.
 *
 * <p>System properties: {@code bench.rounds} (5), {@code bench.drainRounds} (3), {@code bench.small} (5000),
 * {@code bench.large} (2), {@code bench.largeMb} (256), {@code bench.serverNice} (0: the server's nice value; it
 * stands in for a remote S3, whose CPU the training would not share).
 */
public final class WriterBenchmark {
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 5);
    private static final int DRAIN_ROUNDS = Integer.getInteger("bench.drainRounds", 3);
    private static final int SMALL = Integer.getInteger("bench.small", 5000);
    private static final int LARGE = Integer.getInteger("bench.large", 2);
    private static final int LARGE_MB = Integer.getInteger("bench.largeMb", 256);
    private static final int DRAIN_NICE = Integer.getInteger("bench.drainNice", BackgroundPriority.NICE);
    private static final String JOB = "bench";

    private WriterBenchmark() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("host")) {
            host(args[1], args[2], Path.of(args[3]));
            return;
        }
        harness();
    }

    // ---------------------------------------------------------------- the harness

    private static void harness() throws Exception {
        Map<String, String> builds = new LinkedHashMap<>();
        String deps = System.getProperty("bench.deps", System.getProperty("java.class.path"));
        String tests = System.getProperty("bench.testClasses", "target/test-classes");
        builds.put("baseline", System.getProperty("bench.baseline") + ":" + tests + ":" + deps);
        builds.put("current", System.getProperty("bench.current", "target/classes") + ":" + tests + ":" + deps);
        try (S3ServerProcess server = S3ServerProcess.s3proxy();
                S3AsyncClient admin = admin(server)) {
            int nice = Integer.getInteger("bench.serverNice", 0);
            if (nice != 0) {
                run(List.of("renice", "-n", Integer.toString(nice), "-p", Long.toString(server.pid())));
            }
            Path work = Files.createTempDirectory("smc-writer-bench");
            try {
                System.out.printf(
                        "S3Proxy at %s (nice %d); writer: 2,000 x 64 KB + 256 MB; %d rounds%n",
                        server.endpoint(), nice, ROUNDS);
                if (ROUNDS > 0) {
                    writerRounds(server, admin, work, builds);
                }
                if (DRAIN_ROUNDS > 0) {
                    drainRounds(server, admin, work, builds);
                }
            } finally {
                TestFiles.deleteTree(work);
            }
        }
    }

    private static void writerRounds(S3ServerProcess server, S3AsyncClient admin, Path work, Map<String, String> builds)
            throws Exception {
        List<String> variants = new ArrayList<>(List.of("none"));
        variants.addAll(builds.keySet());
        Map<String, List<Double>> writer = new LinkedHashMap<>();
        Map<String, List<Double>> drained = new LinkedHashMap<>();
        variants.forEach(v -> writer.put(v, new ArrayList<>()));
        // round 0 warms the page cache, the server and the disk; not counted
        for (int round = 0; round <= ROUNDS; round++) {
            List<String> order = new ArrayList<>(variants);
            java.util.Collections.rotate(order, round);
            for (String variant : order) {
                Path parent = Files.createDirectories(
                        work.resolve("r" + round + "-" + variant).resolve("output"));
                Path intermediate = parent.resolve("intermediate");
                String bucket = "w" + round + "-" + variant + "-" + System.nanoTime();
                Host host = null;
                if (!variant.equals("none")) {
                    admin.createBucket(b -> b.bucket(bucket)).join();
                    host = Host.start(builds.get(variant), server, bucket, intermediate, 0);
                } else {
                    Files.createDirectories(intermediate);
                }
                long serverCpu = cpuMillis(server.pid());
                long hostCpu = host == null ? 0 : cpuMillis(host.process().pid());
                long start = System.nanoTime();
                double seconds = writerProcess(intermediate);
                serverCpu = cpuMillis(server.pid()) - serverCpu;
                hostCpu = host == null ? 0 : cpuMillis(host.process().pid()) - hostCpu;
                if (host != null) {
                    host.stop();
                    double drain = (System.nanoTime() - start) / 1e9;
                    if (round > 0) {
                        drained.computeIfAbsent(variant, v -> new ArrayList<>()).add(drain);
                    }
                    empty(admin, bucket);
                }
                if (round > 0) {
                    writer.get(variant).add(seconds);
                }
                System.out.printf(
                        "round %d %-8s writer %6.0f ms; CPU while it ran: sync %6d ms, S3 server %6d ms%n",
                        round, variant, seconds * 1000, hostCpu, serverCpu);
                TestFiles.deleteTree(parent.getParent());
            }
        }
        double none = median(writer.get("none"));
        System.out.println();
        System.out.printf("writer, no sync   : %6.0f ms (median of %d)%n", none * 1000, ROUNDS);
        for (String build : builds.keySet()) {
            System.out.printf(
                    "writer, %-9s : %6.0f ms = %.2fx; all uploaded %6.0f ms after the writer's start%n",
                    build,
                    median(writer.get(build)) * 1000,
                    median(writer.get(build)) / none,
                    median(drained.get(build)) * 1000);
        }
    }

    private static void drainRounds(S3ServerProcess server, S3AsyncClient admin, Path work, Map<String, String> builds)
            throws Exception {
        Path small = work.resolve("small");
        Path large = work.resolve("large");
        TestFiles.writeBenchmarkFiles(small, SMALL, large, LARGE, LARGE_MB);
        Map<String, List<Double>> smallTimes = new LinkedHashMap<>();
        Map<String, List<Double>> largeTimes = new LinkedHashMap<>();
        for (int round = 0; round < DRAIN_ROUNDS; round++) {
            List<String> order = new ArrayList<>(builds.keySet());
            java.util.Collections.rotate(order, round);
            for (String build : order) {
                smallTimes
                        .computeIfAbsent(build, b -> new ArrayList<>())
                        .add(drain(server, admin, work, builds.get(build), small));
                largeTimes
                        .computeIfAbsent(build, b -> new ArrayList<>())
                        .add(drain(server, admin, work, builds.get(build), large));
                System.out.printf(
                        "drain round %d %-8s small %6.2f s large %6.2f s%n",
                        round,
                        build,
                        smallTimes.get(build).get(round),
                        largeTimes.get(build).get(round));
            }
        }
        System.out.println();
        for (String build : builds.keySet()) {
            double s = median(smallTimes.get(build));
            double l = median(largeTimes.get(build));
            System.out.printf(
                    "drain, %-9s : small %7.1f files/s, large %6.1f MB/s (medians of %d)%n",
                    build, SMALL / s, LARGE * (double) LARGE_MB / l, DRAIN_ROUNDS);
        }
    }

    /** Moves every file of {@code source} into a freshly synced folder at once; seconds until the stop returned. */
    private static double drain(S3ServerProcess server, S3AsyncClient admin, Path work, String classpath, Path source)
            throws Exception {
        Path parent = Files.createDirectories(
                work.resolve("drain-" + System.nanoTime()).resolve("output"));
        Path intermediate = parent.resolve("intermediate");
        String bucket = "d-" + System.nanoTime();
        admin.createBucket(b -> b.bucket(bucket)).join();
        Host host = Host.start(classpath, server, bucket, intermediate, DRAIN_NICE);
        List<Path> files;
        try (var list = Files.list(source)) {
            files = list.sorted().toList();
        }
        long start = System.nanoTime();
        for (Path f : files) {
            Files.move(f, intermediate.resolve(f.getFileName()));
        }
        long uploads = host.stop();
        double seconds = (System.nanoTime() - start) / 1e9;
        if (uploads != files.size()) {
            throw new IllegalStateException("the sync uploaded " + uploads + " of " + files.size() + " files");
        }
        for (Path f : files) {
            Files.move(intermediate.resolve(f.getFileName()), f);
        }
        empty(admin, bucket);
        TestFiles.deleteTree(parent.getParent());
        return seconds;
    }

    private static double writerProcess(Path dir) throws Exception {
        Process p = new ProcessBuilder(
                        java(),
                        "-Xmx256m",
                        "-XX:+UseSerialGC",
                        "-cp",
                        System.getProperty("bench.testClasses", "target/test-classes"),
                        TrainingWriter.class.getName(),
                        dir.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String line;
        try (BufferedReader out = reader(p)) {
            line = out.readLine();
        }
        if (p.waitFor() != 0 || line == null) {
            throw new IllegalStateException("the writer failed: " + line);
        }
        return Double.parseDouble(line);
    }

    /** The sync in its own JVM, driven through stdin/stdout. */
    private record Host(Process process, BufferedReader out, OutputStream in) {
        static Host start(String classpath, S3ServerProcess server, String bucket, Path intermediate, int nice)
                throws IOException {
            List<String> command = new ArrayList<>();
            if (nice != 0) {
                command.addAll(List.of("nice", "-n", Integer.toString(nice)));
            }
            command.addAll(List.of(
                    java(),
                    "-Xmx1g",
                    "-XX:+UseParallelGC",
                    "-Dbench.cpu=" + Boolean.getBoolean("bench.cpu"),
                    "-cp",
                    classpath,
                    WriterBenchmark.class.getName(),
                    "host",
                    server.endpoint().toString(),
                    bucket,
                    intermediate.toString()));
            Process p = new ProcessBuilder(command)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            Host host = new Host(p, reader(p), p.getOutputStream());
            String ready = host.out.readLine();
            if (!"ready".equals(ready)) {
                throw new IllegalStateException("the sync host did not start: " + ready);
            }
            return host;
        }

        /** Stops the sync (all pending uploads) and returns its upload count. */
        long stop() throws Exception {
            in.write("stop\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
            String done = out.readLine();
            if (done == null || !done.startsWith("done ") || !process.waitFor(5, TimeUnit.MINUTES)) {
                throw new IllegalStateException("the sync host failed: " + done);
            }
            return Long.parseLong(done.split(" ")[1]);
        }
    }

    /** Deletes the bucket and its objects: S3Proxy keeps them in memory. */
    private static void empty(S3AsyncClient admin, String bucket) {
        List<ObjectIdentifier> keys = new ArrayList<>();
        admin.listObjectsV2Paginator(b -> b.bucket(bucket))
                .contents()
                .subscribe(o -> keys.add(ObjectIdentifier.builder().key(o.key()).build()))
                .join();
        for (int from = 0; from < keys.size(); from += 1000) {
            List<ObjectIdentifier> batch = keys.subList(from, Math.min(keys.size(), from + 1000));
            admin.deleteObjects(
                            d -> d.bucket(bucket).delete(x -> x.objects(batch).quiet(true)))
                    .join();
        }
        admin.deleteBucket(b -> b.bucket(bucket)).join();
    }

    private static S3AsyncClient admin(S3ServerProcess server) {
        return S3AsyncClient.builder()
                .endpointOverride(server.endpoint())
                .forcePathStyle(true)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(S3ServerProcess.ACCESS_KEY, S3ServerProcess.SECRET_KEY)))
                .build();
    }

    // ---------------------------------------------------------------- the two child processes

    /** The sync, as the launcher starts it (public API only): "ready", then on "stop" the stop and "done N". */
    private static void host(String endpoint, String bucket, Path intermediate) throws Exception {
        PrintStream out = System.out;
        System.setOut(System.err); // the protocol owns stdout; logs go to stderr
        Map<String, String> env = Map.of(
                "S3_ENDPOINT_URL",
                endpoint,
                "AWS_ACCESS_KEY_ID",
                S3ServerProcess.ACCESS_KEY,
                "AWS_SECRET_ACCESS_KEY",
                S3ServerProcess.SECRET_KEY);
        if (SyncSettings.jobOwnsFolder("s3://" + bucket, intermediate)) {
            SyncSettings.createFolders(intermediate);
        }
        SyncSettings settings =
                SyncSettings.fromJob("s3://" + bucket, JOB, intermediate, env).orElseThrow();
        IntermediateSync sync = IntermediateSync.start(settings);
        out.println("ready");
        out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String command = in.readLine();
        if (!"stop".equals(command)) {
            throw new IllegalStateException("expected stop, got " + command);
        }
        if (Boolean.getBoolean("bench.cpu")) {
            System.err.println("sync JVM threads so far (CPU ms, nice): " + threadCpu());
        }
        SyncReport report = sync.stop(Duration.ofMinutes(10));
        if (!report.complete()) {
            throw new IllegalStateException(report.summary());
        }
        out.println("done " + report.uploads());
        out.flush();
    }

    // ---------------------------------------------------------------- helpers

    /** User and system CPU time of a process so far, from {@code /proc/<pid>/stat} (clock ticks of 10 ms). */
    private static long cpuMillis(long pid) throws IOException {
        String[] f = statFields(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
    }

    /** The fields after the command name: state is [0], utime [11], stime [12], nice [16]. */
    private static String[] statFields(String stat) {
        return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    }

    /** This JVM's threads grouped by name (numbers dropped): CPU ms and nice, busiest first. */
    private static String threadCpu() throws IOException {
        Map<String, long[]> groups = new java.util.TreeMap<>();
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    String name = Files.readString(task.resolve("comm")).strip().replaceAll("[-#0-9]+$", "");
                    String[] f = statFields(Files.readString(task.resolve("stat")));
                    long[] g = groups.computeIfAbsent(name + " (nice " + f[16] + ")", n -> new long[1]);
                    g[0] += (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
                } catch (IOException gone) {
                    // ended meanwhile
                }
            }
        }
        return groups.entrySet().stream()
                .filter(e -> e.getValue()[0] > 0)
                .sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]))
                .map(e -> e.getKey() + " " + e.getValue()[0])
                .collect(java.util.stream.Collectors.joining(", "));
    }

    private static BufferedReader reader(Process p) {
        return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static void run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException(command + " exited with " + p.exitValue());
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }
}
