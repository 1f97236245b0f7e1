package io.smcontainers.launcher;

import com.google.inject.Injector;
import io.smcontainers.env.core.BaseDir;
import io.smcontainers.env.core.EnvironmentException;
import io.smcontainers.env.core.ProcessEnvironment;
import io.smcontainers.env.core.PyValues;
import io.smcontainers.env.core.TrainingEnv;
import io.smcontainers.framework.spi.Framework;
import io.smcontainers.framework.spi.TrainingContext;
import io.smcontainers.framework.spi.UserCodeException;
import io.smcontainers.intermediate.sync.IntermediateSync;
import io.smcontainers.intermediate.sync.SyncReport;
import io.smcontainers.intermediate.sync.SyncSettings;
import io.smcontainers.intermediate.sync.SyncStarter;
import io.smcontainers.launcher.error.LauncherException;
import io.smcontainers.launcher.logging.LogSetup;
import io.smcontainers.launcher.process.JobLock;
import io.smcontainers.launcher.process.ProcessActivity;
import io.smcontainers.launcher.process.StopSignal;
import io.smcontainers.launcher.train.LauncherSettings;
import io.smcontainers.launcher.train.ScriptModeFramework;
import io.smcontainers.launcher.train.TrainMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code train} program (training contract §1): reads the job once, builds the one injector with the framework,
 * trains, writes exactly one of {@code output/success} or {@code output/failure} and returns the exit code. SIGTERM
 * and SIGINT are forwarded to the user process group for the whole run.
 */
public final class TrainCommand {
    private static final Logger log = LoggerFactory.getLogger(TrainCommand.class);

    private TrainCommand() {}

    /** Runs a training job described by {@code environment} (the process environment); returns the exit code. */
    public static int run(Map<String, String> environment) {
        LauncherSettings settings;
        try {
            settings = LauncherSettings.from(environment);
        } catch (LauncherException e) {
            log.error("{}", e.getMessage());
            return e.exitCode();
        }
        Optional<JobLock> lock;
        try {
            lock = JobLock.acquire(environment); // before anything else touches the job folder
        } catch (LauncherException e) {
            log.error("{}", e.getMessage());
            return e.exitCode();
        }
        try {
            StopSignal stop = new StopSignal(settings.stopGrace());
            stop.install();
            return run(environment, settings, stop, Thread.currentThread().getContextClassLoader());
        } finally {
            lock.ifPresent(JobLock::release);
        }
    }

    static int run(Map<String, String> environment, LauncherSettings settings, StopSignal stop, ClassLoader loader) {
        Injector injector;
        TrainingEnv env;
        try {
            injector = Bootstrap.train(environment, settings, stop, FrameworkLocator.locate(environment, loader));
            env = injector.getInstance(TrainingEnv.class);
            createOutputFolders(env);
        } catch (Throwable t) {
            return reportEarlyFailure(environment, Outcome.of(rootCause(t)));
        }
        LogSetup.pythonLevel(env.logLevel());
        Outcome outcome;
        IntermediateSync sync = null;
        Duration syncBound = Duration.ZERO;
        Optional<TrainMetrics> metrics = Optional.empty();
        try {
            metrics = TrainMetrics.start(environment, injector.getInstance(ProcessActivity.class));
            Framework framework = injector.getInstance(Framework.class);
            if (!(framework instanceof ScriptModeFramework)) {
                log.info("Imported framework {}", framework.name());
            }
            // contract §1 step 3 and §10: the sync starts before the entry point runs and stops, with a bound, after
            // training ends and before the success or failure file is written
            Optional<SyncSettings> syncSettings = syncSettings(env, injector.getInstance(ProcessEnvironment.class));
            if (syncSettings.isPresent()) {
                syncBound = syncSettings.get().stopTimeout();
                IntermediateSync started =
                        injector.getInstance(SyncStarter.class).start(syncSettings.get());
                sync = started;
                metrics.ifPresent(exposed -> exposed.watch(started));
            }
            framework.train(injector.getInstance(TrainingContext.class));
            outcome = stop.requested() ? stopped(stop) : Outcome.success();
        } catch (Throwable t) {
            outcome = stop.requested() ? stopped(stop, t) : Outcome.of(t);
        }
        if (sync != null) {
            outcome = finishSync(sync, stop.requested() ? min(syncBound, STOPPING_SYNC_BOUND) : syncBound, outcome);
        }
        try {
            return report(env.paths().successFile(), env.paths().failureFile(), outcome);
        } finally {
            metrics.ifPresent(TrainMetrics::close);
        }
    }

    /** {@code model/} and {@code output/data/}, as SageMaker creates them, for hand-made job folders. */
    private static void createOutputFolders(TrainingEnv env) throws IOException {
        Files.createDirectories(env.paths().model());
        Files.createDirectories(env.paths().outputData());
    }

    /** What failed while building the run: Guice's wrapping taken off, an {@code Error} (stack, memory) found under it. */
    private static Throwable rootCause(Throwable t) {
        Throwable cause = t instanceof RuntimeException runtime ? Bootstrap.cause(runtime) : t;
        for (Throwable inner = cause; inner != null && inner.getCause() != inner; inner = inner.getCause()) {
            if (inner instanceof Error) {
                return inner;
            }
        }
        return cause;
    }

    /** After a stop signal the platform kills the container soon: pending uploads get this long at most. */
    private static final Duration STOPPING_SYNC_BOUND = Duration.ofSeconds(20);

    private static Optional<SyncSettings> syncSettings(TrainingEnv env, ProcessEnvironment processEnvironment) {
        Object output = env.sagemakerHyperparameters().get("sagemaker_s3_output");
        String uri = output == null ? null : PyValues.str(output);
        if (!SyncSettings.jobOwnsFolder(uri, env.paths().intermediate())) {
            return Optional.empty();
        }
        SyncSettings.createFolders(env.paths().intermediate());
        return SyncSettings.fromJob(
                uri, env.jobName().orElse(null), env.paths().intermediate(), processEnvironment.variables());
    }

    /**
     * Stops the sync within the bound and reports it: always in the log; in the failure file when training failed.
     * An upload that could not be made never fails a job that succeeded (the files stay in the local folder).
     */
    private static Outcome finishSync(IntermediateSync sync, Duration bound, Outcome outcome) {
        SyncReport report = sync.stop(bound);
        if (report.complete()) {
            log.info("{}", report.summary());
        } else {
            log.error("{}", report.summary());
        }
        if (outcome.exitCode() == 0) {
            return outcome;
        }
        return new Outcome(outcome.exitCode(), outcome.message() + "\n" + report.summary(), outcome.cause());
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static Outcome stopped(StopSignal stop) {
        return new Outcome(
                128 + stop.signalNumber(),
                "Training stopped: the training job was asked to stop (" + stop.signalName()
                        + ") after the entry point had finished",
                null);
    }

    private static Outcome stopped(StopSignal stop, Throwable t) {
        if (t instanceof StopSignal.StoppedException) {
            return new Outcome(128 + stop.signalNumber(), t.getMessage(), null);
        }
        Outcome outcome = Outcome.of(t);
        return new Outcome(128 + stop.signalNumber(), outcome.message(), outcome.cause());
    }

    static int report(Path successFile, Path failureFile, Outcome outcome) {
        try {
            Files.createDirectories(successFile.getParent());
            if (outcome.exitCode() == 0) {
                log.info("Reporting training SUCCESS");
                Files.write(successFile, new byte[0]);
                return 0;
            }
            log.error("Reporting training FAILURE");
            log.error("{}", outcome.message(), outcome.cause());
            if (Files.exists(failureFile)) {
                log.info("Failure file exists. Skipping creation....");
            } else {
                Files.writeString(failureFile, outcome.message(), StandardCharsets.UTF_8);
            }
            log.error("Encountered exit_code {}", outcome.exitCode());
        } catch (IOException e) {
            log.error("Cannot write {}: {}", outcome.exitCode() == 0 ? successFile : failureFile, e.toString());
            return outcome.exitCode() == 0 ? 1 : outcome.exitCode();
        }
        return outcome.exitCode();
    }

    private static int reportEarlyFailure(Map<String, String> environment, Outcome outcome) {
        Path output;
        try {
            output = BaseDir.resolve(environment).paths().output();
        } catch (RuntimeException e) {
            // the base dir itself is unusable (e.g. its code dir cannot be created): report where SageMaker looks
            String base = environment.getOrDefault("SAGEMAKER_BASE_DIR", "");
            output = (base.isEmpty() ? Path.of("/opt/ml") : Path.of(base)).resolve("output");
            if (!Files.isDirectory(output.getParent())) {
                log.error("Reporting training FAILURE\n{}", outcome.message(), outcome.cause());
                return outcome.exitCode();
            }
        }
        return report(output.resolve("success"), output.resolve("failure"), outcome);
    }

    /** How the run ended: exit code 0, or the failure message and exit code (training contract §8.5). */
    record Outcome(int exitCode, String message, Throwable cause) {
        static Outcome success() {
            return new Outcome(0, "", null);
        }

        static Outcome of(Throwable t) {
            if (t instanceof UserCodeException) {
                return new Outcome(1, t.getMessage(), null);
            }
            if (t instanceof LauncherException e) {
                return new Outcome(
                        e.exitCode(), e.getMessage(), e.category() == LauncherException.Category.PLATFORM ? e : null);
            }
            if (t instanceof EnvironmentException e) {
                return new Outcome(e.exitCode(), e.getMessage(), null);
            }
            if (t instanceof StopSignal.StoppedException e) {
                return new Outcome(e.exitCode(), e.getMessage(), null);
            }
            if (t instanceof OutOfMemoryError) {
                return new Outcome(1, "Resource Error: the launcher ran out of memory: " + t.getMessage(), t);
            }
            if (t instanceof StackOverflowError) {
                // not logged with its trace (a thousand identical lines): where it happened is enough
                return new Outcome(
                        1,
                        "Framework Error: \nthe launcher ran out of stack (StackOverflowError) at " + topFrames(t)
                                + ". A value nested very deeply? Report this with the job's configuration",
                        null);
            }
            if (t instanceof Error) {
                return new Outcome(1, "Framework Error: \n" + t, t);
            }
            Throwable cause = t instanceof UncheckedIOException u ? u.getCause() : t;
            return new Outcome(errno(cause), "Framework Error: \n" + cause, t);
        }

        private static String topFrames(Throwable t) {
            StackTraceElement[] trace = t.getStackTrace();
            StringBuilder frames = new StringBuilder();
            for (int i = 0; i < Math.min(3, trace.length); i++) {
                frames.append(i > 0 ? " < " : "").append(trace[i]);
            }
            return frames.length() == 0 ? "(no trace)" : frames.toString();
        }

        /** The reference's errno exit codes for I/O errors (quirk #9: 1..255, else 1). */
        static int errno(Throwable t) {
            if (t instanceof NoSuchFileException || t instanceof java.io.FileNotFoundException) {
                return 2;
            }
            if (t instanceof AccessDeniedException) {
                return 13;
            }
            if (t instanceof java.net.UnknownHostException) {
                return 254;
            }
            return 1;
        }
    }
}
