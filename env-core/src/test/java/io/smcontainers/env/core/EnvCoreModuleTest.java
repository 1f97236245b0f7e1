package io.smcontainers.env.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Stage;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvCoreModuleTest {
    @TempDir
    Path temp;

    @Test
    void injectorBuildsTheEnvironmentOnce() throws IOException {
        JobFolder job = new JobFolder(temp).hyperparameters("{\"epochs\": \"3\"}");
        Injector injector = Guice.createInjector(Stage.PRODUCTION, EnvCoreModule.training(), new AbstractModule() {
            @Override
            protected void configure() {
                binder().requireExplicitBindings();
                bind(ProcessEnvironment.class).toInstance(new ProcessEnvironment(job.environment));
                bind(HardwareInfo.class).toInstance(HardwareInfo.fixed(1, 0, 2));
            }
        });
        TrainingEnv env = injector.getInstance(TrainingEnv.class);
        assertSame(env, injector.getInstance(TrainingEnv.class));
        assertEquals("3", env.envVars().get("SM_HP_EPOCHS"));
        assertEquals("1", env.envVars().get("SM_NUM_GPUS"));
    }
}
