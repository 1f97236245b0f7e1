package io.smcontainers.gpu.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Stage;
import io.smcontainers.gpu.probe.testing.FakeCommands;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GpuProbeModuleTest {

    /** The injector options the launcher uses. */
    private static Injector injector(GpuProbeModule module) {
        return Guice.createInjector(Stage.PRODUCTION, new AbstractModule() {
            @Override
            protected void configure() {
                binder().requireExplicitBindings();
                binder().disableCircularProxies();
                binder().requireExactBindingAnnotations();
                install(module);
            }
        });
    }

    @Test
    void bindsOneProbeThatSearchesTheGivenPathAndRunsNothingAtStartup(@TempDir Path tmp) {
        FakeCommands bin = new FakeCommands(tmp);
        bin.executable("smddprun", "#!/bin/sh\n");
        // would leave a trace if anything ran it while the injector was built
        bin.script("nvidia-smi", "--list-gpus", "echo 'GPU 0: x'");
        bin.script("neuron-ls", "-j", "echo '[]'");
        Map<String, String> environment = new HashMap<>(Map.of("PATH", tmp.toString()));

        Injector injector = injector(new GpuProbeModule(environment));
        environment.put("PATH", "/nonexistent"); // the module took a copy

        HardwareProbe probe = injector.getInstance(HardwareProbe.class);
        assertSame(probe, injector.getInstance(HardwareProbe.class));
        assertTrue(probe.isOnPath("smddprun"));
        assertFalse(probe.isOnPath("smddpmprun"));
        assertEquals(0, bin.calls("nvidia-smi"));
        assertEquals(0, bin.calls("neuron-ls"));
    }

    @Test
    void theProbeUsesTheModulesTimeout(@TempDir Path tmp) {
        FakeCommands bin = new FakeCommands(tmp);
        bin.script("nvidia-smi", "--list-gpus", "exec sleep 30");
        HardwareProbe probe = injector(new GpuProbeModule(Map.of("PATH", tmp.toString()), Duration.ofMillis(250)))
                .getInstance(HardwareProbe.class);
        ProbeResult result = probe.gpuProbe();
        assertEquals(0, result.count());
        assertTrue(
                result.message().contains("did not finish in time (it was still running after 250 ms"),
                result.message());
    }

    @Test
    void argumentsAreChecked() {
        assertThrows(NullPointerException.class, () -> new GpuProbeModule(null));
        assertThrows(NullPointerException.class, () -> new GpuProbeModule(Map.of(), null));
        assertThrows(IllegalArgumentException.class, () -> new GpuProbeModule(Map.of(), Duration.ZERO));
    }
}
