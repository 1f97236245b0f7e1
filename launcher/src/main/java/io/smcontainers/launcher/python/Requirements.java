package io.smcontainers.launcher.python;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs {@code <code>/requirements.txt} once before any Python worker starts (python-workers spec 3.2): {@code <python> -m
 * pip install -r requirements.txt} in the code dir, every output line in the log prefixed {@code [pip]}; a non-zero exit
 * fails the start with {@code failed to install required packages} and pip's last 20 lines.
 */
final class Requirements {
    private static final Logger log = LoggerFactory.getLogger(Requirements.class);
    private static final int TAIL = 20;

    private Requirements() {}

    static void install(String python, Path codeDir, Map<String, String> environment, PrintStream out) throws IOException, InterruptedException {
        Path requirements = codeDir.resolve("requirements.txt");
        if (!Files.isRegularFile(requirements)) {
            return;
        }
        if (environment.containsKey("CA_REPOSITORY_ARN")) {
            log.warn("CA_REPOSITORY_ARN is not supported: pip uses its default index");
        }
        List<String> argv = List.of(python, "-m", "pip", "install", "-r", "requirements.txt");
        log.info("Installing {}: {}", requirements, String.join(" ", argv));
        ProcessBuilder builder = new ProcessBuilder(argv).directory(codeDir.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().putAll(environment);
        Process pip = builder.start();
        ArrayDeque<String> tail = new ArrayDeque<>();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(pip.getInputStream(), StandardCharsets.UTF_8))) {
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
            throw new IllegalStateException("failed to install required packages from " + requirements + " (pip exited with " + exit
                    + "); last lines:\n" + String.join("\n", tail));
        }
        log.info("Installed the packages of {}", requirements);
    }
}
