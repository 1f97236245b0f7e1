package io.smcontainers.launcher;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.smcontainers.framework.spi.Framework;
import io.smcontainers.launcher.testing.PythonDefaultsFramework;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/serve} from the built distribution with the Python backend as a real process tree: the user's inference.py in
 * {@code <model>/code} or {@code SAGEMAKER_SUBMIT_DIRECTORY}, requirements installed before the workers, fail-fast loads,
 * SIGTERM drain, a SIGKILLed JVM, a framework's Python defaults. Every worker is found through {@code /proc} by a marker
 * variable it inherits; none may be left after a test.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PythonServeIT {
    private static final String PYTHON =
            Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    private static final String ECHO_PID = """
            import os
            import time

            print("model module imported in %d" % os.getpid())


            def model_fn(model_dir):
                mode = os.environ.get("TEST_MODEL_FN", "ok")
                if mode == "raise":
                    raise RuntimeError("model_fn failed on purpose")
                return "model"


            def input_fn(body, content_type):
                return body.decode("utf-8") if isinstance(body, bytes) else body


            def predict_fn(data, model):
                if data.startswith("nap"):
                    time.sleep(float(data[3:]))
                if data == "import":
                    import smctestpkg
                    return "smctestpkg %d" % smctestpkg.VALUE
                return str(os.getpid())


            def output_fn(prediction, accept):
                return prediction, "text/plain"
            """;

    private final HttpClient client =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String marker = UUID.randomUUID().toString();
    private Process process;

    @TempDir
    Path temp;

    @AfterEach
    void stop() throws Exception {
        if (process != null && process.isAlive()) {
            process.destroy();
            process.waitFor(30, TimeUnit.SECONDS);
            process.destroyForcibly();
        }
        boolean gone = await(Duration.ofSeconds(10), () -> workers().isEmpty());
        List<Long> left = workers();
        left.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        assertTrue(gone, "worker processes left behind: " + left);
    }

    @Test
    void servesInferencePyAndDrainsOnSigterm() throws Exception {
        Path model = model(ECHO_PID);
        int port = start(model, Map.of("SAGEMAKER_MODEL_SERVER_WORKERS", "2"));
        awaitPing(port);
        assertEquals(2, workers().size(), "W=2 workers");
        HttpResponse<String> pid = invoke(port, "pid");
        assertEquals(200, pid.statusCode(), pid.body());
        assertTrue(workers().contains(Long.parseLong(pid.body())), "answered by a worker: " + pid.body());

        CompletableFuture<HttpResponse<String>> running =
                client.sendAsync(post(port, "nap3"), HttpResponse.BodyHandlers.ofString());
        Thread.sleep(500);
        long start = System.nanoTime();
        process.destroy(); // SIGTERM
        HttpResponse<String> drained = running.get(30, TimeUnit.SECONDS);
        assertEquals(200, drained.statusCode(), "the in-flight request finishes during the drain");
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "serve exits");
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        String log = stderr() + stdout();
        assertEquals(0, process.exitValue(), log);
        assertTrue(took < 28_000, "exited " + took + " ms after SIGTERM");
        assertEquals(List.of(), workers(), "no worker left once serve has exited");
        assertTrue(log.contains("Serving the Python backend"), log);
        assertTrue(
                log.matches("(?s).*\\[py w[01] pid=\\d+\\] model module imported in \\d+.*"),
                "worker output tagged with slot and pid");
    }

    @Test
    void aFailingModelFnExits1BeforePingEverAnswers200() throws Exception {
        Path model = model(ECHO_PID);
        int port = start(model, Map.of("SAGEMAKER_MODEL_SERVER_WORKERS", "2", "TEST_MODEL_FN", "raise"));
        List<Integer> pings = new ArrayList<>();
        while (process.isAlive()) {
            pings.add(pingStatus(port));
            Thread.sleep(20);
        }
        String log = stderr() + stdout();
        assertEquals(1, process.exitValue(), log);
        assertFalse(pings.contains(200), "ping never answered 200: " + pings);
        assertTrue(log.contains("RuntimeError: model_fn failed on purpose"), log);
        assertTrue(log.contains("Traceback (most recent call last)"), log);
    }

    @Test
    void requirementsAreInstalledBeforeTheWorkersStart() throws Exception {
        Path model = model(ECHO_PID);
        Path wheel = wheel(temp.resolve("wheels"));
        Files.writeString(model.resolve("code/requirements.txt"), wheel + "\n");
        Path site = temp.resolve("site");
        int port = start(
                model,
                Map.of(
                        "SAGEMAKER_MODEL_SERVER_WORKERS",
                        "1",
                        "PIP_TARGET",
                        site.toString(),
                        "PIP_NO_INDEX",
                        "1",
                        "PYTHONPATH",
                        site.toString()));
        awaitPing(port);
        HttpResponse<String> imported = invoke(port, "import");
        assertEquals("smctestpkg 42", imported.body(), "the wheel from requirements.txt is importable");
        assertTrue(stdout().contains("[pip] Successfully installed smctestpkg-1.0"), stdout());
    }

    @Test
    void theUsersOwnPackageIsInstalledWithSmcPyInstallModule() throws Exception {
        Path model = model(ECHO_PID.replace("smctestpkg", "smcuserpkg"));
        // the package lives under src/, which is not on sys.path: only the installed copy can be imported
        Files.writeString(
                model.resolve("code/setup.py"),
                "from setuptools import setup\n"
                        + "setup(name='smcuserpkg', version='1.0', package_dir={'': 'src'}, packages=['smcuserpkg'])\n");
        Files.createDirectories(model.resolve("code/src/smcuserpkg"));
        Files.writeString(model.resolve("code/src/smcuserpkg/__init__.py"), "VALUE = 7\n");
        Path site = temp.resolve("site");
        // offline: no index, and setuptools from the interpreter rather than an isolated build environment
        int port = start(
                model,
                Map.of(
                        "SAGEMAKER_MODEL_SERVER_WORKERS",
                        "1",
                        "SMC_PY_INSTALL_MODULE",
                        "true",
                        "PIP_TARGET",
                        site.toString(),
                        "PIP_NO_INDEX",
                        "1",
                        "PIP_NO_BUILD_ISOLATION",
                        "0",
                        "PYTHONPATH",
                        site.toString()));
        awaitPing(port);
        HttpResponse<String> imported = invoke(port, "import");
        assertEquals("smcuserpkg 7", imported.body(), "the package from setup.py is importable");
        assertTrue(stdout().contains("[pip] Successfully installed smcuserpkg-1.0"), stdout());
        assertTrue(Files.isDirectory(site.resolve("smcuserpkg-1.0.dist-info")));
    }

    @Test
    void smcPyInstallModuleMustBeTrueOrFalse() throws Exception {
        start(model(ECHO_PID), Map.of("SAGEMAKER_MODEL_SERVER_WORKERS", "1", "SMC_PY_INSTALL_MODULE", "yes please"));
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        String log = stderr() + stdout();
        assertEquals(1, process.exitValue(), log);
        assertTrue(log.contains("SMC_PY_INSTALL_MODULE must be true or false, got 'yes please'"), log);
    }

    @Test
    void aMultiModelLoadInstallsTheModelsRequirementsWithSmcMmeInstallRequirements() throws Exception {
        Path store = Files.createDirectories(temp.resolve("ml/models"));
        Path wheel = wheel(temp.resolve("wheels"));
        for (String name : List.of("good", "broken")) {
            Files.createDirectories(store.resolve(name + "/code"));
            Files.writeString(store.resolve(name + "/code/inference.py"), ECHO_PID);
        }
        Files.writeString(store.resolve("good/code/requirements.txt"), wheel + "\n");
        Files.writeString(store.resolve("broken/code/requirements.txt"), "smc-no-such-package-anywhere==9.9.9\n");
        int port = start(
                store,
                Map.of(
                        "SAGEMAKER_MULTI_MODEL",
                        "true",
                        "SMC_MME_WORKERS_PER_MODEL",
                        "2",
                        "SMC_MME_INSTALL_REQUIREMENTS",
                        "true",
                        "PIP_NO_INDEX",
                        "1"));
        awaitPing(port);

        HttpResponse<String> loaded = loadModel(port, "good", store.resolve("good"));
        assertEquals(200, loaded.statusCode(), loaded.body() + quietly());
        assertTrue(
                Files.isDirectory(store.resolve("good/code/.smc-site/smctestpkg")),
                "installed into the model's code/.smc-site");
        assertEquals(
                1,
                count(stdout(), "[pip] Successfully installed smctestpkg-1.0"),
                "once for the model's two workers: " + stdout());
        HttpResponse<String> imported = client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/models/good/invoke"))
                        .timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "text/plain")
                        .POST(HttpRequest.BodyPublishers.ofString("import"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals("smctestpkg 42", imported.body(), "the model's .smc-site is first on its workers' sys.path");

        HttpResponse<String> broken = loadModel(port, "broken", store.resolve("broken"));
        assertEquals(500, broken.statusCode(), broken.body());
        assertTrue(broken.body().contains("failed to install required packages"), broken.body());
        assertFalse(
                client.send(
                                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/models"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body()
                        .contains("broken"),
                "a failed load is not registered");
    }

    private HttpResponse<String> loadModel(int port, String name, Path url) throws Exception {
        return client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/models"))
                        .timeout(Duration.ofSeconds(120))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"model_name\": \"" + name + "\", \"url\": \"" + url + "\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static int count(String text, String needle) {
        int found = 0;
        for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
            found++;
        }
        return found;
    }

    @Test
    void brokenRequirementsExit1WithPipsError() throws Exception {
        Path model = model(ECHO_PID);
        Files.writeString(model.resolve("code/requirements.txt"), "smc-no-such-package-anywhere==9.9.9\n");
        start(
                model,
                Map.of(
                        "SAGEMAKER_MODEL_SERVER_WORKERS",
                        "1",
                        "PIP_TARGET",
                        temp.resolve("site").toString(),
                        "PIP_NO_INDEX",
                        "1"));
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        String log = stderr() + stdout();
        assertEquals(1, process.exitValue(), log);
        assertTrue(log.contains("failed to install required packages"), log);
        assertTrue(
                log.contains(
                        "[pip] ERROR: Could not find a version that satisfies the requirement smc-no-such-package-anywhere"),
                log);
        assertEquals(List.of(), workers(), "no worker was started");
    }

    @Test
    void workersExitWhenTheJvmIsKilled() throws Exception {
        Path model = model(ECHO_PID);
        int port = start(model, Map.of("SAGEMAKER_MODEL_SERVER_WORKERS", "2"));
        awaitPing(port);
        List<Long> workers = workers();
        assertEquals(2, workers.size());
        CompletableFuture<HttpResponse<String>> busy =
                client.sendAsync(post(port, "nap2"), HttpResponse.BodyHandlers.ofString());
        Thread.sleep(300);
        long pid = process.pid();
        ProcessHandle.of(pid)
                .orElseThrow()
                .descendants()
                .filter(p -> p.info().command().orElse("").endsWith("java"))
                .forEach(ProcessHandle::destroyForcibly);
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        assertTrue(
                await(Duration.ofSeconds(5), () -> workers().isEmpty()),
                "workers exit at EOF (idle) or after their call (busy): " + workers());
        assertTrue(busy.isDone());
    }

    @Test
    void codeComesFromATarGzSubmitDirectory() throws Exception {
        Path model = Files.createDirectories(temp.resolve("ml/model"));
        Path tar = temp.resolve("sourcedir.tar.gz");
        Path src = Files.createDirectories(temp.resolve("src"));
        Files.writeString(src.resolve("serve_me.py"), ECHO_PID);
        Process pack = new ProcessBuilder("tar", "czf", tar.toString(), "-C", src.toString(), ".")
                .inheritIO()
                .start();
        assertEquals(0, pack.waitFor());
        int port = start(
                model,
                Map.of(
                        "SAGEMAKER_MODEL_SERVER_WORKERS",
                        "1",
                        "SAGEMAKER_SUBMIT_DIRECTORY",
                        "file://" + tar,
                        "SAGEMAKER_PROGRAM",
                        "serve_me.py"));
        awaitPing(port);
        assertEquals(200, invoke(port, "pid").statusCode());
        assertTrue(Files.isRegularFile(temp.resolve("ml/code/serve_me.py")), "fetched into <base>/code");
    }

    @Test
    void sigtermWhileTheSubmitDirectoryIsStillBeingFetchedStopsServeInOrder() throws Exception {
        Path fifo = temp.resolve("code.fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        Path model = Files.createDirectories(temp.resolve("ml/model"));
        start(model, Map.of("SAGEMAKER_MODEL_SERVER_WORKERS", "1", "SAGEMAKER_SUBMIT_DIRECTORY", "file://" + fifo));
        assertTrue(
                await(Duration.ofSeconds(60), () -> {
                    try {
                        return stderr().contains("is not a regular file (a named pipe?): reading it as a stream");
                    } catch (IOException e) {
                        return false;
                    }
                }),
                "the fetch never started reading the pipe");
        assertTrue(process.isAlive(), "serve waits for the pipe");
        process.destroy(); // SIGTERM
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "serve exits");
        String log = stderr() + stdout();
        // without the command's own stop request the JVM died of the signal (143) in the middle of the fetch
        assertEquals(0, process.exitValue(), log);
        assertTrue(
                log.contains(
                        "Stopping: SIGTERM while reading the user code from file://" + fifo + "; nothing was served"),
                log);
        assertFalse(log.contains("No model handler"), log);
    }

    @Test
    void aFrameworksPythonDefaultsServeWithoutUserCodeAndUserFunctionsOverrideThem() throws Exception {
        assumeTrue(imports("numpy"), "numpy is needed by the default input_fn");
        Path model = Files.createDirectories(temp.resolve("ml/model"));
        Files.writeString(model.resolve("model.txt"), "fw-model\n");
        frameworkJar(model.resolve("code"));
        int port = start(model, Map.of("SAGEMAKER_MODEL_SERVER_WORKERS", "1"));
        awaitPing(port);
        HttpResponse<String> answer =
                client.send(post(port, "[1, 2]", "application/json"), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, answer.statusCode(), answer.body());
        assertEquals("framework predict: fw-model on [1 2]", answer.body());
        process.destroy();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));

        Files.writeString(
                model.resolve("code/inference.py"), "def input_fn(body, content_type):\n    return 'user:' + body\n");
        port = start(model, Map.of("SAGEMAKER_MODEL_SERVER_WORKERS", "1"));
        awaitPing(port);
        answer = client.send(post(port, "[1, 2]", "application/json"), HttpResponse.BodyHandlers.ofString());
        assertEquals(
                "framework predict: fw-model on user:[1, 2]", answer.body(), "user input_fn over framework defaults");
    }

    private static boolean imports(String module) throws IOException, InterruptedException {
        Process probe = new ProcessBuilder(PYTHON, "-c", "import " + module)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        return probe.waitFor(60, TimeUnit.SECONDS) && probe.exitValue() == 0;
    }

    private void frameworkJar(Path code) throws IOException {
        Files.createDirectories(code);
        String entry = PythonDefaultsFramework.class.getName().replace('.', '/') + ".class";
        try (OutputStream file = Files.newOutputStream(code.resolve("framework.jar"));
                JarOutputStream jar = new JarOutputStream(file)) {
            jar.putNextEntry(new JarEntry(entry));
            jar.write(Files.readAllBytes(Path.of("target", "test-classes").resolve(entry)));
            jar.closeEntry();
            jar.putNextEntry(new JarEntry(PythonDefaultsFramework.DEFAULTS));
            jar.write(Files.readAllBytes(Path.of("target", "test-classes").resolve(PythonDefaultsFramework.DEFAULTS)));
            jar.closeEntry();
            jar.putNextEntry(new JarEntry("META-INF/services/" + Framework.class.getName()));
            jar.write((PythonDefaultsFramework.class.getName() + "\n").getBytes(UTF_8));
            jar.closeEntry();
        }
    }

    /** A pure-Python wheel built by hand (a zip with dist-info), so pip installs it with no index and no build step. */
    private static Path wheel(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path wheel = dir.resolve("smctestpkg-1.0-py3-none-any.whl");
        Map<String, String> files = Map.of(
                "smctestpkg/__init__.py", "VALUE = 42\n",
                "smctestpkg-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: smctestpkg\nVersion: 1.0\n",
                "smctestpkg-1.0.dist-info/WHEEL",
                        "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
                "smctestpkg-1.0.dist-info/RECORD",
                        "smctestpkg/__init__.py,,\nsmctestpkg-1.0.dist-info/METADATA,,\n"
                                + "smctestpkg-1.0.dist-info/WHEEL,,\nsmctestpkg-1.0.dist-info/RECORD,,\n");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(wheel))) {
            for (Map.Entry<String, String> file : files.entrySet()) {
                zip.putNextEntry(new ZipEntry(file.getKey()));
                zip.write(file.getValue().getBytes(UTF_8));
                zip.closeEntry();
            }
        }
        return wheel;
    }

    private Path model(String inference) throws IOException {
        Path model = Files.createDirectories(temp.resolve("ml/model/code")).getParent();
        Files.writeString(model.resolve("code/inference.py"), inference);
        return model;
    }

    private int start(Path model, Map<String, String> variables) throws IOException {
        int port = freePort();
        ProcessBuilder builder = new ProcessBuilder(
                        ServeCommandIT.DIST.resolve("bin/serve").toString(), "--model-dir", model.toString())
                .redirectOutput(temp.resolve("stdout.txt").toFile())
                .redirectError(temp.resolve("stderr.txt").toFile());
        Map<String, String> environment = builder.environment();
        environment
                .keySet()
                .removeIf(name -> name.startsWith("SAGEMAKER_")
                        || name.startsWith("SM_")
                        || name.startsWith("SMC_")
                        || name.startsWith("PIP_")
                        || name.equals("PYTHONPATH"));
        environment.putAll(new HashMap<>(Map.of(
                "SAGEMAKER_BASE_DIR",
                temp.resolve("ml").toString(),
                "SMC_BIND_ADDRESS",
                "127.0.0.1",
                "SAGEMAKER_BIND_TO_PORT",
                Integer.toString(port),
                "SMC_PYTHON",
                PYTHON,
                "SMC_TEST_MARKER",
                marker)));
        environment.putAll(variables);
        process = builder.start();
        return port;
    }

    /** Live processes that inherited this test's marker variable, other than serve's own JVM and shell. */
    private List<Long> workers() {
        byte[] needle = ("SMC_TEST_MARKER=" + marker + "\0").getBytes(UTF_8);
        List<Long> found = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(Path.of("/proc"))) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    String stat = Files.readString(entry.resolve("stat"));
                    char state = stat.charAt(stat.lastIndexOf(')') + 2);
                    String cmdline = new String(Files.readAllBytes(entry.resolve("cmdline")), UTF_8);
                    if (state == 'Z' || !cmdline.contains("smc_worker.py") && !cmdline.contains("sleep")) {
                        continue;
                    }
                    if (new String(Files.readAllBytes(entry.resolve("environ")), UTF_8)
                            .contains(new String(needle, UTF_8))) {
                        found.add(Long.parseLong(name));
                    }
                } catch (IOException | RuntimeException gone) {
                    // exited meanwhile
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return found;
    }

    private static boolean await(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(20);
        }
        return condition.getAsBoolean();
    }

    private String stderr() throws IOException {
        return Files.readString(temp.resolve("stderr.txt"));
    }

    private String stdout() throws IOException {
        return Files.readString(temp.resolve("stdout.txt"));
    }

    private int pingStatus(int port) {
        try {
            return client.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ping"))
                                    .timeout(Duration.ofSeconds(2))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private void awaitPing(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            assertTrue(process.isAlive(), () -> "serve exited before /ping answered 200: " + quietly());
            if (pingStatus(port) == 200) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("/ping did not answer 200 within 60 s: " + stderr());
    }

    private String quietly() {
        try {
            return stderr() + stdout();
        } catch (IOException e) {
            return e.toString();
        }
    }

    private HttpRequest post(int port, String body) {
        return post(port, body, "text/plain");
    }

    private HttpRequest post(int port, String body, String contentType) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/invocations"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    private HttpResponse<String> invoke(int port, String body) throws Exception {
        return client.send(post(port, body), HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
