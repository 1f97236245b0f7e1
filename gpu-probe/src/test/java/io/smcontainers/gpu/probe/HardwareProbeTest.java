package io.smcontainers.gpu.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcontainers.gpu.probe.testing.FakeCommands;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the probe does without running anything; the command runs are in {@code GpuCountIT} and friends. */
class HardwareProbeTest {

    @Test
    void cpuCount() {
        HardwareProbe probe = new HardwareProbe(List.of(), Duration.ofSeconds(1));
        assertEquals(Runtime.getRuntime().availableProcessors(), probe.cpuCount());
        assertTrue(probe.cpuCount() >= 1);
    }

    @Test
    void isOnPathLooksForAnExecutableFileInTheSearchPath(@TempDir Path tmp) {
        FakeCommands bin = new FakeCommands(tmp);
        bin.executable("smddprun", "#!/bin/sh\n");
        HardwareProbe probe = new HardwareProbe(bin.searchPath(), Duration.ofSeconds(1));

        assertTrue(probe.isOnPath("smddprun"));
        assertFalse(probe.isOnPath("smddpmprun"));
        assertThrows(IllegalArgumentException.class, () -> probe.isOnPath("bin/smddprun"));
    }

    @Test
    void isOnPathSeesFilesAddedLater(@TempDir Path tmp) {
        FakeCommands bin = new FakeCommands(tmp);
        HardwareProbe probe = new HardwareProbe(bin.searchPath(), Duration.ofSeconds(1));
        assertFalse(probe.isOnPath("smddpmprun"));
        bin.executable("smddpmprun", "#!/bin/sh\n");
        assertTrue(probe.isOnPath("smddpmprun"));
    }

    @Test
    void fromEnvironmentSearchesItsPath(@TempDir Path tmp) {
        FakeCommands bin = new FakeCommands(tmp);
        bin.executable("smddprun", "#!/bin/sh\n");

        assertTrue(HardwareProbe.fromEnvironment(Map.of("PATH", "/nonexistent:" + tmp))
                .isOnPath("smddprun"));
        assertFalse(
                HardwareProbe.fromEnvironment(Map.of("PATH", "/nonexistent")).isOnPath("smddprun"));
    }

    @Test
    void withoutPathItSearchesPythonsDefaultPath() {
        // /bin/sh exists on every system this runs on; smddprun is nowhere in /bin:/usr/bin here
        HardwareProbe probe = HardwareProbe.fromEnvironment(Map.of("HOME", "/root"));
        assertTrue(probe.isOnPath("sh"));
        assertFalse(probe.isOnPath("smddprun-not-installed"));
    }

    @Test
    void neuronCoreCountOnTrn2IsSixtyFourWithoutAnyTool() {
        HardwareProbe probe = new HardwareProbe(List.of(), Duration.ofSeconds(1));
        assertEquals(64, probe.neuronCoreCount("ml.trn2.48xlarge"));
        assertEquals(64, probe.neuronCoreCount("trn2.48xlarge"));
    }

    @Test
    void withAnEmptySearchPathThereIsNothingToRun() {
        HardwareProbe probe = new HardwareProbe(List.of(), Duration.ofSeconds(1));
        assertEquals(0, probe.gpuCount());
        assertEquals(0, probe.neuronCoreCount("local"));
        assertEquals(
                "No GPUs detected (normal if no gpus installed): nvidia-smi is not an executable file on PATH []",
                probe.gpuProbe().message());
        assertEquals(
                "No Neurons detected (normal if no neurons installed): neuron-ls is not an executable file on "
                        + "PATH []",
                probe.neuronProbe().message());
    }

    @Test
    void argumentsAreChecked() {
        assertThrows(NullPointerException.class, () -> new HardwareProbe(null, Duration.ofSeconds(1)));
        assertThrows(
                NullPointerException.class,
                () -> new HardwareProbe(Arrays.asList(Path.of("/bin"), null), Duration.ofSeconds(1)));
        assertThrows(NullPointerException.class, () -> new HardwareProbe(List.of(), null));
        IllegalArgumentException zero =
                assertThrows(IllegalArgumentException.class, () -> new HardwareProbe(List.of(), Duration.ZERO));
        assertEquals("Probe timeout must be positive, got PT0S", zero.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new HardwareProbe(List.of(), Duration.ofMillis(-1)));
        assertThrows(NullPointerException.class, () -> HardwareProbe.fromEnvironment(null));
        HardwareProbe probe = new HardwareProbe(List.of(), Duration.ofSeconds(1));
        NullPointerException noType = assertThrows(NullPointerException.class, () -> probe.neuronCoreCount(null));
        assertEquals("currentInstanceType is null", noType.getMessage());
    }

    @Test
    void theDefaultTimeoutIsTenSeconds() {
        assertEquals(Duration.ofSeconds(10), HardwareProbe.DEFAULT_TIMEOUT);
    }
}
