package io.smcontainers.intermediate.sync;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.google.inject.Guice;
import com.google.inject.Stage;
import org.junit.jupiter.api.Test;

class IntermediateSyncModuleTest {
    @Test
    void theStarterIsBoundWithoutDoingAnything() {
        var injector = Guice.createInjector(Stage.PRODUCTION, new IntermediateSyncModule(),
                binder -> {
                    binder.requireExplicitBindings();
                    binder.disableCircularProxies();
                    binder.requireExactBindingAnnotations();
                });
        assertNotNull(injector.getInstance(SyncStarter.class));
    }
}
