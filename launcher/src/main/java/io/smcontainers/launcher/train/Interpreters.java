package io.smcontainers.launcher.train;

import io.smcontainers.launcher.error.LauncherException;
import io.smcontainers.launcher.error.LauncherException.Category;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;

/** The programs user code runs with: Python ({@code SMC_PYTHON}, else {@code python3} on PATH) and this JVM's java. */
public final class Interpreters {
    static final String PYTHON_VARIABLE = "SMC_PYTHON";

    private Interpreters() {}

    /** The absolute path of the Python interpreter, as the reference puts {@code sys.executable} in its commands. */
    public static String python(Map<String, String> environment) {
        String configured = environment.get(PYTHON_VARIABLE);
        if (configured != null && !configured.isEmpty()) {
            return configured;
        }
        for (String dir : environment.getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Paths.get(dir, "python3");
            if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
                return candidate.toAbsolutePath().toString();
            }
        }
        throw new LauncherException(Category.PLATFORM, 2, "python3 was not found on PATH (" + environment.getOrDefault("PATH", "")
                + "): install Python 3 in the image or set " + PYTHON_VARIABLE + " to the interpreter to use");
    }

    static String java() {
        return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    }
}
