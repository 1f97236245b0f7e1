package io.smcontainers.launcher.python;

import io.smcontainers.launcher.code.CodeFetcher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where the user's Python inference code is (python-workers spec 3.2): {@code SAGEMAKER_SUBMIT_DIRECTORY} (a local directory
 * used in place; {@code s3://}, {@code file://} or a tar(.gz) fetched into {@code <base>/code} by the launcher's
 * {@link CodeFetcher}), else {@code <model>/code}, else a non-empty {@code <base>/code}. The module is
 * {@code SAGEMAKER_PROGRAM} minus {@code .py} (default {@code inference}); a value with {@code /} is a path relative to the
 * code dir whose directory goes first on {@code sys.path}.
 *
 * @param codeDir the code directory, if any
 * @param module the module name
 * @param explicit whether {@code SAGEMAKER_PROGRAM} named it
 * @param extraPath directories before the code dir on {@code sys.path}
 */
record PythonCode(Optional<Path> codeDir, String module, boolean explicit, List<Path> extraPath) {
    static PythonCode locate(Map<String, String> variables, Path baseDir, Path modelDir, CodeFetcher fetcher) {
        Optional<Path> code = codeDir(variables, baseDir, modelDir, fetcher);
        String program = variables.getOrDefault("SAGEMAKER_PROGRAM", "").strip();
        boolean explicit = !program.isEmpty();
        String module = explicit ? program : "inference";
        if (module.endsWith(".py")) {
            module = module.substring(0, module.length() - 3);
        }
        List<Path> extra = new ArrayList<>();
        int slash = module.lastIndexOf('/');
        if (slash >= 0) {
            String dir = module.substring(0, slash);
            module = module.substring(slash + 1);
            Path root = code.orElse(modelDir);
            Path resolved = root.resolve(dir).normalize();
            if (!resolved.startsWith(root)) {
                throw new IllegalArgumentException(
                        "SAGEMAKER_PROGRAM=" + program + " points outside the code directory " + root);
            }
            extra.add(resolved);
        }
        if (module.isEmpty() || !module.matches("[A-Za-z_][A-Za-z0-9_.]*")) {
            throw new IllegalArgumentException(
                    "SAGEMAKER_PROGRAM=" + program + " does not name a Python module (expected e.g. inference.py)");
        }
        return new PythonCode(code, module, explicit, List.copyOf(extra));
    }

    private static Optional<Path> codeDir(
            Map<String, String> variables, Path baseDir, Path modelDir, CodeFetcher fetcher) {
        String submit = variables.getOrDefault("SAGEMAKER_SUBMIT_DIRECTORY", "").strip();
        Path baseCode = baseDir.resolve("code");
        if (!submit.isEmpty()) {
            String lower = submit.toLowerCase(Locale.ROOT);
            if (!lower.startsWith("s3://") && !lower.startsWith("file://") && Files.isDirectory(Path.of(submit))) {
                return Optional.of(Path.of(submit).toAbsolutePath().normalize());
            }
            fetcher.fetch(submit, baseCode);
            return Optional.of(baseCode.toAbsolutePath().normalize());
        }
        if (Files.isDirectory(modelDir.resolve("code"))) {
            return Optional.of(modelDir.resolve("code").toAbsolutePath().normalize());
        }
        if (Files.isDirectory(baseCode) && !isEmpty(baseCode)) {
            return Optional.of(baseCode.toAbsolutePath().normalize());
        }
        return Optional.empty();
    }

    /** Whether the module file exists: {@code <code>/<m>.py}, {@code <code>/<m>/__init__.py} or {@code <model>/<m>.py}. */
    boolean resolvable(Path modelDir) {
        Path dir = extraPath.isEmpty() ? codeDir.orElse(null) : extraPath.get(0);
        String file = module.replace('.', '/');
        if (dir != null
                && (Files.isRegularFile(dir.resolve(file + ".py"))
                        || Files.isRegularFile(dir.resolve(file).resolve("__init__.py")))) {
            return true;
        }
        return Files.isRegularFile(modelDir.resolve(file + ".py"));
    }

    private static boolean isEmpty(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            return true;
        }
    }
}
