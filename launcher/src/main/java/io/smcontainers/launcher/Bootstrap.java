package io.smcontainers.launcher;

import com.google.inject.Binder;
import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.ProvisionException;
import com.google.inject.Stage;
import com.google.inject.spi.Message;
import io.smcontainers.env.core.EnvCoreModule;
import io.smcontainers.framework.spi.Framework;
import io.smcontainers.gpu.probe.GpuProbeModule;
import io.smcontainers.intermediate.sync.IntermediateSyncModule;
import io.smcontainers.launcher.process.StopSignal;
import io.smcontainers.launcher.train.LauncherSettings;
import io.smcontainers.serving.netty.ServingModule;
import java.io.IOException;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The composition root, as airlift's {@code Bootstrap}: one injector per command, built from each library's own module
 * and the launcher's, in {@link Stage#PRODUCTION} (singletons created at once, no just-in-time bindings). Modules only
 * bind; what they provide (the job read from {@code /opt/ml}, the hardware probe) is created with the injector, so a
 * bad job surfaces here as the exception its provider threw ({@link #cause}).
 */
final class Bootstrap {
    private Bootstrap() {}

    /** {@code train}: the training environment, GPU probe, intermediate sync, launcher and the framework found. */
    static Injector train(
            Map<String, String> environment,
            LauncherSettings settings,
            StopSignal stop,
            Optional<Framework> javaFramework) {
        return create(
                EnvCoreModule.training(),
                new GpuProbeModule(environment),
                new IntermediateSyncModule(),
                LauncherModule.train(environment, settings, stop, javaFramework));
    }

    /** {@code serve}: the serving environment, GPU probe (CPU count), the Netty server. */
    static Injector serve(Map<String, String> environment) {
        return create(
                EnvCoreModule.serving(),
                new GpuProbeModule(environment),
                new ServingModule(),
                LauncherModule.tools(environment));
    }

    /** {@code env}: the training environment and GPU probe. */
    static Injector env(Map<String, String> environment) {
        return create(EnvCoreModule.training(), new GpuProbeModule(environment), LauncherModule.tools(environment));
    }

    /**
     * Opens the jars of the class path on a daemon thread, by searching them for {@link Framework} services, while the
     * main thread starts logging and Guice: discovery ({@link FrameworkLocator}) then finds them open. Each jar is opened
     * once either way (the class loader keeps it); this only moves the work off the main thread. Start-up time only.
     */
    static void openClassPathInBackground() {
        Thread thread = new Thread(Bootstrap::openClassPath, "class-path-open");
        thread.setDaemon(true);
        thread.start();
    }

    private static void openClassPath() {
        try {
            Enumeration<URL> found =
                    ClassLoader.getSystemClassLoader().getResources("META-INF/services/" + Framework.class.getName());
            while (found.hasMoreElements()) {
                found.nextElement();
            }
        } catch (IOException | RuntimeException e) {
            // discovery meets the same jars again and reports what is wrong with them
        }
    }

    private static Injector create(Module... modules) {
        List<Module> all = new ArrayList<>(List.of(modules));
        all.add(Bootstrap::strict);
        return Guice.createInjector(Stage.PRODUCTION, all);
    }

    private static void strict(Binder binder) {
        binder.disableCircularProxies();
        binder.requireExplicitBindings();
        binder.requireExactBindingAnnotations();
    }

    /**
     * What went wrong while the injector was created or an object provided: the first exception a provider threw (an
     * {@code EnvironmentException} for a bad job folder, say), else the Guice exception itself (a wiring bug).
     */
    static RuntimeException cause(RuntimeException e) {
        Collection<Message> messages = e instanceof CreationException creation
                ? creation.getErrorMessages()
                : e instanceof ProvisionException provision ? provision.getErrorMessages() : List.of();
        // a provider that fails is retried by every singleton that needs it: the first report is the one to give
        Throwable cause = messages.stream()
                .map(Message::getCause)
                .filter(Objects::nonNull)
                .findFirst()
                .orElse(null);
        return cause instanceof RuntimeException runtime ? cause(runtime) : e;
    }
}
