package io.smcontainers.launcher.python;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * pip steps before Python workers start (python-workers spec 3.2, 3.13), each {@code <python> -m pip install ...} in the code
 * dir with every output line in the log prefixed {@code [pip]}; a non-zero exit fails the start (or the multi-model load)
 * with what failed and pip's last 20 lines:
 * <ul>
 *   <li>{@link #install}: {@code requirements.txt}, once before any worker ({@code failed to install required packages});
 *   <li>{@link #installModule}: the user's own package ({@code setup.py} or {@code pyproject.toml}, {@code pip install .}),
 *       only with {@code SMC_PY_INSTALL_MODULE=true};
 *   <li>{@link #installInto}: a multi-model endpoint's model {@code requirements.txt} into {@code <code>/.smc-site}, only
 *       with {@code SMC_MME_INSTALL_REQUIREMENTS=true}.
 * </ul>
 */
final class Requirements {
    private static final Logger log = LoggerFactory.getLogger(Requirements.class);
    private static final int TAIL = 20;

    private Requirements() {}

    /** {@code pip install -r requirements.txt} when the code dir has one. */
    static void install(String python, Path codeDir, Map<String, String> environment, PrintStream out)
            throws IOException, InterruptedException {
        Path requirements = codeDir.resolve("requirements.txt");
        if (!Files.isRegularFile(requirements)) {
            return;
        }
        warnCaRepository(environment);
        pip(
                python,
                List.of("-r", "requirements.txt"),
                codeDir,
                environment,
                out,
                "required packages from " + requirements);
    }

    /** {@code pip install .} when the code dir is a package ({@code setup.py} or {@code pyproject.toml}); returns whether it was. */
    static boolean installModule(String python, Path codeDir, Map<String, String> environment, PrintStream out)
            throws IOException, InterruptedException {
        if (!Files.isRegularFile(codeDir.resolve("setup.py"))
                && !Files.isRegularFile(codeDir.resolve("pyproject.toml"))) {
            log.warn(
                    "SMC_PY_INSTALL_MODULE=true but {} has no setup.py or pyproject.toml: nothing to install", codeDir);
            return false;
        }
        warnCaRepository(environment);
        pip(python, List.of("."), codeDir, environment, out, "the user module " + codeDir);
        return true;
    }

    /** {@code pip install --upgrade --target <target> -r requirements.txt} when the code dir has one (a multi-model endpoint's model). */
    static void installInto(String python, Path codeDir, Path target, Map<String, String> environment, PrintStream out)
            throws IOException, InterruptedException {
        Path requirements = codeDir.resolve("requirements.txt");
        if (!Files.isRegularFile(requirements)) {
            return;
        }
        warnCaRepository(environment);
        pip(
                python,
                List.of("--upgrade", "--target", target.toString(), "-r", "requirements.txt"),
                codeDir,
                environment,
                out,
                "required packages from " + requirements);
    }

    private static void warnCaRepository(Map<String, String> environment) {
        if (environment.containsKey("CA_REPOSITORY_ARN")) {
            log.warn("CA_REPOSITORY_ARN is not supported: pip uses its default index");
        }
    }

    private static void pip(
            String python,
            List<String> arguments,
            Path codeDir,
            Map<String, String> environment,
            PrintStream out,
            String what)
            throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of(python, "-m", "pip", "install"));
        argv.addAll(arguments);
        log.info("Installing {}: {}", what, String.join(" ", argv));
        ProcessBuilder builder = new ProcessBuilder(argv)
                .directory(codeDir.toFile())
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().putAll(environment);
        Process pip = builder.start();
        ArrayDeque<String> tail = new ArrayDeque<>();
        try (BufferedReader lines =
                new BufferedReader(new InputStreamReader(pip.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                synchronized (out) {
                    out.println("[pip] " + line);
                }
                if (tail.size() == TAIL) {
                    tail.removeFirst();
                }
                tail.addLast(line);
            }
        }
        int exit = pip.waitFor();
        if (exit != 0) {
            throw new IllegalStateException("failed to install " + what + " (pip exited with " + exit
                    + "); last lines:\n" + String.join("\n", tail));
        }
        log.info("Installed {}", what);
    }
}
