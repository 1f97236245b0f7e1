package io.smcontainers.framework.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.smcontainers.framework.spi.testing.PlainFramework;
import io.smcontainers.framework.spi.testing.PlainHandler;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** What a framework container ships (a jar with META-INF/services entries) is found the way the launcher looks. */
class ServiceLoaderTest {
    @Test
    void aRegisteredFrameworkIsFoundAndItsHooksDefaultToNothing() throws Exception {
        List<Framework> found = ServiceLoader.load(Framework.class, getClass().getClassLoader()).stream()
                .map(ServiceLoader.Provider::get)
                .toList();
        assertEquals(1, found.size());
        Framework framework = found.get(0);
        assertEquals(PlainFramework.class, framework.getClass());
        assertEquals(PlainFramework.class.getName(), framework.name());
        assertEquals(Map.of(), framework.userEnvironment(null));
        List<String> argv = List.of("python3", "train.py");
        assertSame(argv, framework.customizeCommand(argv, Map.of("A", "1")));
        assertEquals(Optional.empty(), framework.serving(null));
    }

    @Test
    void aRegisteredHandlerIsFoundWithPerWorkerConcurrencyByDefault() {
        List<ModelHandler> found = ServiceLoader.load(
                        ModelHandler.class, getClass().getClassLoader())
                .stream()
                .map(ServiceLoader.Provider::get)
                .toList();
        assertEquals(1, found.size());
        assertEquals(PlainHandler.class, found.get(0).getClass());
        assertEquals(ModelHandler.Concurrency.PER_WORKER, found.get(0).concurrency());
    }
}
