package io.smcontainers.launcher;

import static java.util.Objects.requireNonNull;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Scopes;
import io.smcontainers.env.core.HardwareInfo;
import io.smcontainers.env.core.ProcessEnvironment;
import io.smcontainers.env.core.TrainingEnv;
import io.smcontainers.framework.spi.Framework;
import io.smcontainers.framework.spi.TrainingContext;
import io.smcontainers.launcher.code.CodeFetcher;
import io.smcontainers.launcher.code.Installer;
import io.smcontainers.launcher.code.S3Source;
import io.smcontainers.launcher.code.S3Sources;
import io.smcontainers.launcher.process.ProcessActivity;
import io.smcontainers.launcher.process.ProcessLauncher;
import io.smcontainers.launcher.process.StopSignal;
import io.smcontainers.launcher.train.DefaultTrainingContext;
import io.smcontainers.launcher.train.EntryPointPreparation;
import io.smcontainers.launcher.train.EntryPointService;
import io.smcontainers.launcher.train.LauncherSettings;
import io.smcontainers.launcher.train.PythonModuleFramework;
import io.smcontainers.launcher.train.ScriptModeFramework;
import io.smcontainers.launcher.train.UserProcess;
import java.util.Map;
import java.util.Optional;

/**
 * The launcher's own bindings. Every command: {@link ProcessEnvironment} (the process environment, read once by
 * {@link Main}) and {@link HardwareInfo} (env-core's view, answered by gpu-probe). {@code train} adds
 * {@link LauncherSettings}, {@link StopSignal}, {@link ProcessActivity}, {@link ProcessLauncher}, {@link CodeFetcher},
 * {@link Installer}, {@link S3Source} (unscoped, built on use), {@link EntryPointPreparation}, {@link UserProcess},
 * {@link EntryPointService}, {@link TrainingContext} and {@link Framework}:
 * the Java framework found by {@link FrameworkLocator}, else the Python framework module of
 * {@code SAGEMAKER_TRAINING_MODULE=module:function}, else script mode. Binds only; does no I/O.
 */
final class LauncherModule extends AbstractModule {
    private final ProcessEnvironment processEnvironment;
    private final Optional<Training> training;

    private LauncherModule(Map<String, String> environment, Optional<Training> training) {
        this.processEnvironment = new ProcessEnvironment(requireNonNull(environment, "environment is null"));
        this.training = training;
    }

    /** The bindings of {@code serve} and {@code env}. */
    static LauncherModule tools(Map<String, String> environment) {
        return new LauncherModule(environment, Optional.empty());
    }

    /** The bindings of {@code train}, with the Java framework found before the injector was built (if any). */
    static LauncherModule train(
            Map<String, String> environment,
            LauncherSettings settings,
            StopSignal stop,
            Optional<Framework> javaFramework) {
        return new LauncherModule(environment, Optional.of(new Training(settings, stop, javaFramework)));
    }

    private record Training(LauncherSettings settings, StopSignal stop, Optional<Framework> javaFramework) {
        Training {
            requireNonNull(settings, "settings is null");
            requireNonNull(stop, "stop is null");
            requireNonNull(javaFramework, "javaFramework is null");
        }
    }

    @Override
    protected void configure() {
        bind(ProcessEnvironment.class).toInstance(processEnvironment);
        bind(HardwareInfo.class).to(ProbedHardware.class).in(Scopes.SINGLETON);
        if (training.isEmpty()) {
            return;
        }
        Training train = training.get();
        bind(LauncherSettings.class).toInstance(train.settings());
        bind(StopSignal.class).toInstance(train.stop());
        bind(ProcessActivity.class).in(Scopes.SINGLETON);
        bind(ProcessLauncher.class).in(Scopes.SINGLETON);
        bind(CodeFetcher.class).in(Scopes.SINGLETON);
        bind(Installer.class).in(Scopes.SINGLETON);
        bind(EntryPointPreparation.class).in(Scopes.SINGLETON);
        bind(UserProcess.class).in(Scopes.SINGLETON);
        bind(EntryPointService.class).in(Scopes.SINGLETON);
        bind(TrainingContext.class).to(DefaultTrainingContext.class).in(Scopes.SINGLETON);
        if (train.javaFramework().isPresent()) {
            bind(Framework.class).toInstance(train.javaFramework().get());
        } else if (processEnvironment.variables().containsKey(FrameworkLocator.TRAINING_MODULE)) {
            bind(Framework.class).to(PythonModuleFramework.class).in(Scopes.SINGLETON);
        } else {
            bind(Framework.class).to(ScriptModeFramework.class).in(Scopes.SINGLETON);
        }
        install(new AbstractModule() {
            @Provides
            S3Source s3Source(ProcessEnvironment environment, TrainingEnv env) {
                return S3Sources.sdk(environment.variables(), env.toolkitVariables());
            }
        });
    }
}
