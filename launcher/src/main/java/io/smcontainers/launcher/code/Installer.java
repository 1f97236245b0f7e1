package io.smcontainers.launcher.code;

import static java.util.Objects.requireNonNull;

import io.smcontainers.framework.spi.UserCodeException;
import io.smcontainers.launcher.error.LauncherException;
import io.smcontainers.launcher.error.LauncherException.Category;
import io.smcontainers.launcher.logging.Heartbeat;
import io.smcontainers.launcher.logging.TransferProgress;
import io.smcontainers.launcher.process.Command;
import io.smcontainers.launcher.process.FailureMessage;
import io.smcontainers.launcher.process.ProcessLauncher;
import io.smcontainers.launcher.process.ProcessResult;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The install step (training contract §7.4, STT behaviour): {@code pip install .} (plus {@code -r requirements.txt})
 * for a Python package, {@code pip install -r requirements.txt} for a Python program that has one, {@code chmod 777}
 * for a command. pip runs in the code dir through the process launcher, so its output is in the log; a failure is a
 * {@link UserCodeException} with pip's exit code and the end of its stderr.
 */
public final class Installer {
    private static final Logger log = LoggerFactory.getLogger(Installer.class);

    private final ProcessLauncher launcher;

    @Inject
    public Installer(ProcessLauncher launcher) {
        this.launcher = requireNonNull(launcher, "launcher is null");
    }

    public void install(
            EntryPointType type, String name, Path codeDir, List<String> python, Map<String, String> environment)
            throws UserCodeException {
        checkPresent(type, name, codeDir);
        boolean requirements = Files.isRegularFile(codeDir.resolve("requirements.txt"));
        switch (type) {
            case PYTHON_PACKAGE -> {
                List<String> argv = new ArrayList<>(python);
                argv.addAll(List.of("-m", "pip", "install", "."));
                if (requirements) {
                    argv.addAll(List.of("-r", "requirements.txt"));
                }
                log.info("Installing module.");
                pip("InstallModuleError", argv, codeDir, environment);
            }
            case PYTHON_PROGRAM -> {
                if (requirements) {
                    log.info("Installing dependencies from requirements.txt");
                    List<String> argv = new ArrayList<>(python);
                    argv.addAll(List.of("-m", "pip", "install", "-r", "requirements.txt"));
                    pip("InstallRequirementsError", argv, codeDir, environment);
                }
            }
            case COMMAND -> {
                try {
                    // checked above: a regular file inside the code dir, so following a link here stays inside
                    Files.setPosixFilePermissions(codeDir.resolve(name), PosixFilePermissions.fromString("rwxrwxrwx"));
                } catch (IOException e) {
                    throw new LauncherException(
                            Category.USER,
                            CodeFetcher.errno(e),
                            "Cannot make the entry point " + codeDir.resolve(name) + " executable: " + e,
                            e);
                }
            }
            case JAR -> {
                // nothing to install: the jar carries its dependencies or its manifest Class-Path
            }
        }
    }

    /**
     * The entry point must be a file inside the code dir, checked before anything is made executable or run: an absolute
     * name, a name that leaves the code dir through {@code ..} or a link that resolves outside it is refused (the
     * reference would {@code chmod 777} and run it). A missing entry point is reported naming where it was looked for
     * (quirk #17).
     */
    private static void checkPresent(EntryPointType type, String name, Path codeDir) {
        if (type == EntryPointType.PYTHON_PACKAGE) {
            return; // a module name, resolved by Python after the install
        }
        Path lexical = codeDir.resolve(name).normalize();
        if (name.isEmpty()
                || name.startsWith("/")
                || !lexical.startsWith(codeDir.normalize())
                || lexical.equals(codeDir.normalize())) {
            throw outside(name, codeDir, "it is not a path relative to the code directory");
        }
        if (!Files.exists(lexical, LinkOption.NOFOLLOW_LINKS)) {
            throw new LauncherException(
                    Category.USER,
                    2,
                    "The entry point " + name + " (SAGEMAKER_PROGRAM / sagemaker_program) "
                            + "does not exist in the code directory " + codeDir
                            + ". Check the entry point name and the source directory (sagemaker_submit_directory)");
        }
        Path real;
        try {
            real = lexical.toRealPath();
        } catch (IOException e) {
            throw new LauncherException(
                    Category.USER,
                    CodeFetcher.errno(e),
                    "The entry point " + name + " (SAGEMAKER_PROGRAM / sagemaker_program) in " + codeDir
                            + " cannot be resolved: " + e,
                    e);
        }
        Path realCode;
        try {
            realCode = codeDir.toRealPath();
        } catch (IOException e) {
            throw new LauncherException(
                    Category.PLATFORM, 1, "Cannot resolve the code directory " + codeDir + ": " + e, e);
        }
        if (!real.startsWith(realCode) || real.equals(realCode)) {
            throw outside(name, codeDir, "it resolves to " + real + " through a link");
        }
        if (!Files.isRegularFile(real)) {
            throw new LauncherException(
                    Category.USER,
                    1,
                    "The entry point " + name + " (SAGEMAKER_PROGRAM / sagemaker_program) " + "in the code directory "
                            + codeDir + " is not a regular file");
        }
    }

    private static LauncherException outside(String name, Path codeDir, String why) {
        return new LauncherException(
                Category.USER,
                1,
                "Refusing the entry point '" + name + "' (SAGEMAKER_PROGRAM / "
                        + "sagemaker_program): it must be a file inside the code directory " + codeDir + ", but " + why
                        + ". Give a path relative to the source directory (sagemaker_submit_directory)");
    }

    private void pip(String errorClass, List<String> argv, Path codeDir, Map<String, String> environment)
            throws UserCodeException {
        Command command = new Command(argv, codeDir, environment);
        log.info("Running: {}", command.display());
        ProcessResult result;
        try (Heartbeat beat = Heartbeat.start(
                String.join(" ", argv.subList(1, argv.size())),
                TransferProgress.interval(environment.get("SMC_PROGRESS_INTERVAL_SECONDS")))) {
            result = launcher.run(command, true);
        } catch (IOException e) {
            throw new UserCodeException(
                    errorClass + ":\nExitCode 1\nErrorMessage \"" + e.getMessage() + "\"\nCommand \""
                            + command.display() + "\"",
                    e);
        }
        if (result.exitCode() != 0) {
            throw new UserCodeException(FailureMessage.of(errorClass, command, result));
        }
    }
}
