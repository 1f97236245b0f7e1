package io.smcontainers.launcher.warmup;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code sagemaker-toolkit warm-up}: writes the start-up archives of the distribution for the JVM running it, into
 * {@code lib/jvm-cache/}: {@code app.jsa} and {@code serve.jsa} (dynamic class-data sharing, {@code
 * -XX:ArchiveClassesAtExit}) or, on JDK 25+, {@code app.aot} and {@code serve.aot} (JEP 483 AOT caches, {@code
 * -XX:AOTCacheOutput}). Each archive is trained by running the distribution's own {@code bin/train} on a no-op job and
 * {@code bin/serve} on an echo model (one {@code /ping}, one {@code /invocations}, SIGTERM). The last file written is
 * {@code lib/jvm-cache/jvm}, the stamp {@code <java home> JAVA_RUNTIME_VERSION="..."} that {@code bin/sagemaker-toolkit}
 * compares with the JVM it is about to start: another JVM starts without the archives, and says nothing.
 */
public final class WarmUpCommand {
    static final String CACHE = "jvm-cache";
    static final String STAMP = "jvm";
    private static final Duration SERVE_READY = Duration.ofSeconds(120);

    private final Path home;
    private final Path javaHome;
    private final Map<String, String> environment;
    private final Path work;
    private final PrintStream out;

    private WarmUpCommand(Path home, Path javaHome, Map<String, String> environment, Path work, PrintStream out) {
        this.home = home;
        this.javaHome = javaHome;
        this.environment = environment;
        this.work = work;
        this.out = out;
    }

    /** Runs {@code warm-up}; 0 when both archives and the stamp are written, 1 otherwise (the cache is then removed). */
    public static int run(List<String> args, Map<String, String> environment, PrintStream out, PrintStream err) {
        if (!args.isEmpty()) {
            err.println("warm-up: unexpected argument '" + args.get(0) + "'\nusage: sagemaker-toolkit warm-up");
            return 2;
        }
        Path home;
        try {
            home = distributionHome();
        } catch (IllegalStateException e) {
            err.println("warm-up: " + e.getMessage());
            return 1;
        }
        Path cache = home.resolve("lib").resolve(CACHE);
        Path work = null;
        try {
            Path javaHome = Path.of(System.getProperty("java.home")).toRealPath();
            deleteTree(cache);
            Files.createDirectories(cache);
            work = Files.createTempDirectory("smc-warm-up");
            WarmUpCommand command = new WarmUpCommand(home, javaHome, environment, work, out);
            boolean aot = Runtime.version().feature() >= 25;
            command.train(cache.resolve(aot ? "app.aot" : "app.jsa"), aot);
            command.serve(cache.resolve(aot ? "serve.aot" : "serve.jsa"), aot);
            Files.writeString(cache.resolve(STAMP), stamp(javaHome) + "\n", StandardCharsets.UTF_8);
            out.println(
                    "warm-up: " + (aot ? "AOT caches" : "CDS archives") + " for " + stamp(javaHome) + " in " + cache);
            return 0;
        } catch (IOException | WarmUpException e) {
            err.println("warm-up: " + e.getMessage());
            deleteQuietly(cache);
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            deleteQuietly(cache);
            return 1;
        } finally {
            if (work != null) {
                deleteQuietly(work);
            }
        }
    }

    /** {@code <real java home> JAVA_RUNTIME_VERSION="..."}, the line of {@code <java home>/release}, as bin/sagemaker-toolkit builds it. */
    static String stamp(Path javaHome) throws IOException {
        String version = "";
        Path release = javaHome.resolve("release");
        if (Files.isRegularFile(release)) {
            for (String line : Files.readAllLines(release, StandardCharsets.UTF_8)) {
                if (line.startsWith("JAVA_RUNTIME_VERSION=")) {
                    version = line;
                }
            }
        }
        return javaHome + " " + version;
    }

    private static Path distributionHome() {
        try {
            Path jar = Path.of(WarmUpCommand.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            Path lib = jar.getParent();
            if (Files.isRegularFile(jar)
                    && lib != null
                    && lib.getParent() != null
                    && Files.isRegularFile(lib.getParent().resolve("bin").resolve("sagemaker-toolkit"))) {
                return lib.getParent();
            }
            throw new IllegalStateException(
                    "runs from an unpacked distribution (bin/sagemaker-toolkit warm-up), not from " + jar);
        } catch (URISyntaxException | RuntimeException e) {
            if (e instanceof IllegalStateException known) {
                throw known;
            }
            throw new IllegalStateException("cannot locate the distribution: " + e.getMessage(), e);
        }
    }

    private void train(Path archive, boolean aot) throws IOException, InterruptedException, WarmUpException {
        Path job = work.resolve("job");
        Files.createDirectories(job.resolve("input/config"));
        Files.createDirectories(job.resolve("input/data/training"));
        Files.createDirectories(job.resolve("code"));
        Files.writeString(
                job.resolve("input/config/hyperparameters.json"),
                "{\"sagemaker_program\": \"\\\"noop.sh\\\"\", \"epochs\": \"1\"}");
        Files.writeString(
                job.resolve("input/config/inputdataconfig.json"), "{\"training\": {\"TrainingInputMode\": \"File\"}}");
        Files.writeString(
                job.resolve("input/config/resourceconfig.json"),
                "{\"current_host\": \"algo-1\", \"hosts\": [\"algo-1\"], \"network_interface_name\": \"eth0\"}");
        Files.writeString(job.resolve("code/noop.sh"), "#!/bin/sh\nexit 0\n");
        Map<String, String> env = childEnvironment(archive, aot);
        env.put("SAGEMAKER_BASE_DIR", job.toString());
        Process train = start(env, "train", List.of(), work.resolve("train.log"));
        if (!train.waitFor(300, TimeUnit.SECONDS)) {
            train.destroyForcibly();
            throw failure("train did not finish within 300 s", "train.log");
        }
        if (train.exitValue() != 0) {
            throw failure("the no-op train exited " + train.exitValue(), "train.log");
        }
        written(archive, "train.log");
    }

    private void serve(Path archive, boolean aot) throws IOException, InterruptedException, WarmUpException {
        Path model = Files.createDirectories(work.resolve("model"));
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Map<String, String> env = childEnvironment(archive, aot);
        env.put("SAGEMAKER_BASE_DIR", work.toString());
        env.put("SAGEMAKER_SERVING_MODULE", WarmUpHandler.class.getName());
        env.put("SMC_BIND_ADDRESS", "127.0.0.1");
        env.put("SAGEMAKER_BIND_TO_PORT", Integer.toString(port));
        Process serve = start(env, "serve", List.of("--model-dir", model.toString()), work.resolve("serve.log"));
        try {
            HttpClient client = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();
            URI base = URI.create("http://127.0.0.1:" + port);
            long deadline = System.nanoTime() + SERVE_READY.toNanos();
            while (!ping(client, base)) {
                if (!serve.isAlive()) {
                    throw failure("serve exited " + serve.exitValue() + " before /ping answered 200", "serve.log");
                }
                if (System.nanoTime() > deadline) {
                    throw failure("/ping did not answer 200 within " + SERVE_READY.toSeconds() + " s", "serve.log");
                }
                TimeUnit.MILLISECONDS.sleep(50);
            }
            HttpResponse<String> invocation = client.send(
                    HttpRequest.newBuilder(base.resolve("/invocations"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"instances\": [1, 2]}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (invocation.statusCode() != 200) {
                throw failure("/invocations answered " + invocation.statusCode(), "serve.log");
            }
            client.send(
                    HttpRequest.newBuilder(base.resolve("/execution-parameters"))
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
            serve.destroy(); // SIGTERM: drain and exit, which writes the archive
            if (!serve.waitFor(120, TimeUnit.SECONDS)) {
                throw failure("serve did not exit within 120 s of SIGTERM", "serve.log");
            }
            if (serve.exitValue() != 0) {
                throw failure("serve exited " + serve.exitValue() + " after SIGTERM", "serve.log");
            }
        } finally {
            if (serve.isAlive()) {
                serve.destroyForcibly();
            }
        }
        written(archive, "serve.log");
    }

    private static boolean ping(HttpClient client, URI base) throws InterruptedException {
        try {
            return client.send(
                                    HttpRequest.newBuilder(base.resolve("/ping"))
                                            .timeout(Duration.ofSeconds(5))
                                            .build(),
                                    HttpResponse.BodyHandlers.discarding())
                            .statusCode()
                    == 200;
        } catch (IOException notYet) {
            return false;
        }
    }

    /** The caller's environment with this JVM as JAVA_HOME and the archive-writing options as the only SMC_JAVA_OPTS. */
    private Map<String, String> childEnvironment(Path archive, boolean aot) {
        Map<String, String> env = new HashMap<>(environment);
        env.put("JAVA_HOME", javaHome.toString());
        env.put(
                "SMC_JAVA_OPTS",
                aot
                        ? "-XX:AOTCacheOutput=" + archive + " -Xlog:aot=off -Xlog:cds=off"
                        : "-XX:ArchiveClassesAtExit=" + archive + " -Xlog:cds=off -Xlog:cds+dynamic=off");
        env.remove("SMC_LOG_FORMAT");
        env.remove(
                "SMC_METRICS_PORT"); // an image's ENV may set it: the warm-up runs bind no metrics port at build time
        return env;
    }

    private Process start(Map<String, String> env, String program, List<String> args, Path log) throws IOException {
        List<String> argv = new ArrayList<>();
        argv.add(home.resolve("bin").resolve(program).toString());
        argv.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(argv)
                .directory(work.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().clear();
        builder.environment().putAll(env);
        return builder.start();
    }

    private void written(Path archive, String log) throws IOException, WarmUpException {
        if (!Files.isRegularFile(archive) || Files.size(archive) == 0) {
            throw failure("no archive written at " + archive, log);
        }
        out.println("warm-up: wrote " + archive + " (" + Files.size(archive) / 1024 + " KiB)");
    }

    private WarmUpException failure(String message, String log) {
        String output;
        try {
            output = Files.readString(work.resolve(log), StandardCharsets.UTF_8);
        } catch (IOException e) {
            output = "(no output: " + e.getMessage() + ")";
        }
        return new WarmUpException(message + "; its output:\n" + output);
    }

    private static void deleteQuietly(Path tree) {
        try {
            deleteTree(tree);
        } catch (IOException ignored) {
            // best effort: a temporary folder or a half-written cache without its stamp, which nothing uses
        }
    }

    private static void deleteTree(Path tree) throws IOException {
        if (!Files.exists(tree)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(tree)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    /** A warm-up step that did not produce its archive; the message carries the step's output. */
    static final class WarmUpException extends Exception {
        WarmUpException(String message) {
            super(message);
        }
    }
}
