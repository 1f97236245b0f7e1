package io.smcontainers.launcher;

import static java.util.Objects.requireNonNull;

import com.google.inject.AbstractModule;
import com.google.inject.Binder;
import com.google.inject.Provides;
import com.google.inject.Scopes;
import com.google.inject.multibindings.Multibinder;
import io.smcontainers.env.core.ProcessEnvironment;
import io.smcontainers.env.core.TrainingEnv;
import io.smcontainers.framework.spi.Framework;
import io.smcontainers.framework.spi.TrainingContext;
import io.smcontainers.launcher.code.CodeFetcher;
import io.smcontainers.launcher.code.Installer;
import io.smcontainers.launcher.code.S3Source;
import io.smcontainers.launcher.code.S3Sources;
import io.smcontainers.launcher.process.ProcessLauncher;
import io.smcontainers.launcher.process.StopSignal;
import io.smcontainers.launcher.train.DefaultTrainingContext;
import io.smcontainers.launcher.train.EntryPointService;
import io.smcontainers.launcher.train.EnvironmentContributor;
import io.smcontainers.launcher.train.LauncherSettings;
import io.smcontainers.launcher.train.PythonFrameworkModule;
import io.smcontainers.launcher.train.ScriptModeFramework;
import java.util.Optional;

/**
 * The launcher's bindings for one {@code train} run. Built from values read before the injector exists (the
 * training environment, the process environment, settings, the stop signal); it does no I/O.
 *
 * <p>Provides: {@link TrainingEnv}, {@link ProcessEnvironment}, {@link LauncherSettings}, {@link StopSignal},
 * {@link ProcessLauncher}, {@link CodeFetcher}, {@link Installer}, {@link S3Source} (unscoped, built on use),
 * {@link EntryPointService}, {@link TrainingContext}, {@link Framework} (the Java framework found, else the Python
 * framework module of {@code SAGEMAKER_TRAINING_MODULE=module:function}, else script mode) and the set of
 * {@link EnvironmentContributor} (empty unless a framework adds some through {@link #environmentBinder(Binder)}).
 *
 * <p>A framework that implements {@code com.google.inject.Module} is installed with {@code Modules.override}, so it can
 * replace any of these bindings (its own {@link ProcessLauncher}, {@link S3Source}) or add contributors.
 */
public final class LauncherModule extends AbstractModule {
    private final TrainingEnv env;
    private final ProcessEnvironment processEnvironment;
    private final LauncherSettings settings;
    private final StopSignal stop;
    private final Optional<Framework> javaFramework;

    public LauncherModule(TrainingEnv env, ProcessEnvironment processEnvironment, LauncherSettings settings, StopSignal stop,
            Optional<Framework> javaFramework) {
        this.env = requireNonNull(env, "env is null");
        this.processEnvironment = requireNonNull(processEnvironment, "processEnvironment is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.stop = requireNonNull(stop, "stop is null");
        this.javaFramework = requireNonNull(javaFramework, "javaFramework is null");
    }

    /** Where frameworks add variables to the user process environment. */
    public static Multibinder<EnvironmentContributor> environmentBinder(Binder binder) {
        return Multibinder.newSetBinder(binder, EnvironmentContributor.class);
    }

    @Override
    protected void configure() {
        bind(TrainingEnv.class).toInstance(env);
        bind(ProcessEnvironment.class).toInstance(processEnvironment);
        bind(LauncherSettings.class).toInstance(settings);
        bind(StopSignal.class).toInstance(stop);
        bind(ProcessLauncher.class).in(Scopes.SINGLETON);
        bind(CodeFetcher.class).in(Scopes.SINGLETON);
        bind(Installer.class).in(Scopes.SINGLETON);
        bind(EntryPointService.class).in(Scopes.SINGLETON);
        bind(TrainingContext.class).to(DefaultTrainingContext.class).in(Scopes.SINGLETON);
        environmentBinder(binder());
        if (javaFramework.isPresent()) {
            bind(Framework.class).toInstance(javaFramework.get());
        } else if (env.frameworkModule().isPresent()) {
            bind(Framework.class).to(PythonFrameworkModule.class);
        } else {
            bind(Framework.class).to(ScriptModeFramework.class);
        }
    }

    @Provides
    S3Source s3Source(ProcessEnvironment environment) {
        return S3Sources.sdk(environment.variables(), env.toolkitVariables());
    }
}
