package io.smcontainers.launcher.train;

import io.smcontainers.gpu.probe.SearchPath;
import io.smcontainers.launcher.error.LauncherException;
import io.smcontainers.launcher.error.LauncherException.Category;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;

/** The programs user code runs with: Python ({@code SMC_PYTHON}, else {@code python3} on PATH) and this JVM's java. */
public final class Interpreters {
    static final String PYTHON_VARIABLE = "SMC_PYTHON";

    private Interpreters() {}

    /**
     * The absolute path of the Python interpreter, as the reference puts {@code sys.executable} in its commands:
     * {@code SMC_PYTHON}, else the first {@code python3} on the {@code PATH} of {@code environment} (gpu-probe's
     * {@link SearchPath}, the one PATH lookup: an empty element is the current directory, no PATH is {@code /bin:/usr/bin}).
     */
    public static String python(Map<String, String> environment) {
        String configured = environment.get(PYTHON_VARIABLE);
        if (configured != null && !configured.isEmpty()) {
            return configured;
        }
        return SearchPath.fromEnvironment(environment)
                .find("python3")
                .map(Path::toString)
                .orElseThrow(() -> new LauncherException(
                        Category.PLATFORM,
                        2,
                        "python3 was not found on PATH ("
                                + environment.getOrDefault("PATH", "unset, so " + SearchPath.DEFAULT_PATH)
                                + "): install Python 3 in the image or set " + PYTHON_VARIABLE
                                + " to the interpreter to use"));
    }

    static String java() {
        return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    }
}
