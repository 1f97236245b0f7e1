package io.smcontainers.gpu.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcontainers.gpu.probe.testing.FakeCommands;
import io.smcontainers.gpu.probe.testing.Timed;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.event.Level;

/** {@code num_neurons} against fake {@code neuron-ls} executables that print what the real one prints. */
class NeuronCountIT {

    private static final String ARGS = "-j";
    private static final String NO_NEURONS = "No Neurons detected (normal if no neurons installed): ";

    @TempDir
    Path tmp;

    private FakeCommands bin;

    @BeforeEach
    void setUp() {
        bin = new FakeCommands(tmp);
    }

    private HardwareProbe probe() {
        return new HardwareProbe(bin.searchPath(), Duration.ofSeconds(30));
    }

    private String command() {
        return tmp.resolve("neuron-ls") + " " + ARGS;
    }

    @Test
    void neuronCountInNeuronInstance() {
        bin.script("neuron-ls", ARGS, "echo '[{\"nc_count\": 2}]'");
        HardwareProbe probe = probe();
        assertEquals(2, probe.neuronCoreCount("ml.inf2.xlarge"));
        assertEquals(ProbeResult.found(2, "Found 2 neurons on this instance"), probe.neuronProbe());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "trn1.32xlarge, 32",
        "inf1.6xlarge, 16",
        "inf2.xlarge, 2",
    })
    void recordedListings(String instanceType, int cores) {
        bin.printing("neuron-ls", ARGS, "neuron-ls/" + instanceType + ".json", 0);
        HardwareProbe probe = probe();
        assertEquals(cores, probe.neuronCoreCount("ml." + instanceType));
        assertEquals(ProbeResult.found(cores, "Found " + cores + " neurons on this instance"), probe.neuronProbe());
    }

    @Test
    void neuronCountInCpuInstance() {
        HardwareProbe probe = probe();
        assertEquals(0, probe.neuronCoreCount("ml.c5.xlarge"));
        assertEquals(
                ProbeResult.none(NO_NEURONS + "neuron-ls is not an executable file on PATH [" + tmp + "]"),
                probe.neuronProbe());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ml.trn2.48xlarge", "trn2.48xlarge", "ml.trn2.48xlarge-ultra"})
    void neuronCountInTrn2InstanceRunsNothing(String instanceType) {
        bin.printing("neuron-ls", ARGS, "neuron-ls/trn1.32xlarge.json", 0);
        HardwareProbe probe = probe();
        assertEquals(64, probe.neuronCoreCount(instanceType));
        assertEquals(0, bin.calls("neuron-ls"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ml.trn2.3xlarge", "ml.trn1.32xlarge", "local", "TRN2.48XLARGE"})
    void otherInstanceTypesRunNeuronLs(String instanceType) {
        bin.printing("neuron-ls", ARGS, "neuron-ls/trn1.32xlarge.json", 0);
        assertEquals(32, probe().neuronCoreCount(instanceType));
        assertEquals(1, bin.calls("neuron-ls"));
    }

    @Test
    void theListingIsReadOnceWhateverTheInstanceType() {
        bin.printing("neuron-ls", ARGS, "neuron-ls/trn1.32xlarge.json", 0);
        HardwareProbe probe = probe();
        assertEquals(32, probe.neuronCoreCount("ml.trn1.32xlarge"));
        assertEquals(64, probe.neuronCoreCount("ml.trn2.48xlarge"));
        assertEquals(32, probe.neuronCoreCount("ml.trn1.32xlarge"));
        assertEquals(1, bin.calls("neuron-ls"));
    }

    @Test
    void neuronCountInNeuronInstanceNodriverWithJunkOutput() {
        bin.script("neuron-ls", ARGS, "printf 'junk\\000\\377 output'\nexit 1");
        HardwareProbe probe = probe();
        assertEquals(0, probe.neuronCoreCount("ml.trn1.32xlarge"));
        assertEquals(
                ProbeResult.none(
                        NO_NEURONS + command() + " exited with code 1, output \"junk\\x00\uFFFD " + "output\""),
                probe.neuronProbe());
    }

    @Test
    void neuronCountInNeuronInstanceNodriverWithDriverError() {
        bin.printing("neuron-ls", ARGS, "neuron-ls/no-driver.txt", 1);
        HardwareProbe probe = probe();
        assertEquals(0, probe.neuronCoreCount("ml.trn1.32xlarge"));
        assertEquals(
                ProbeResult.none(NO_NEURONS + command() + " exited with code 1, output \"error: Failed to "
                        + "discover Neuron devices\""),
                probe.neuronProbe());
    }

    @Test
    void nonZeroExitWithAValidListingIsNoNeurons() {
        bin.printing("neuron-ls", ARGS, "neuron-ls/trn1.32xlarge.json", 2);
        assertEquals(0, probe().neuronCoreCount("ml.trn1.32xlarge"));
    }

    @Test
    void garbageJsonIsNoNeuronsWithAWarning() {
        bin.script("neuron-ls", ARGS, "echo 'neuron-ls 2.18.0: device 0 ok'");
        HardwareProbe probe = probe();
        assertEquals(0, probe.neuronCoreCount("ml.inf2.xlarge"));
        ProbeResult result = probe.neuronProbe();
        assertEquals(Level.WARN, result.level());
        assertTrue(
                result.message().startsWith(NO_NEURONS + "the output of " + command() + " is not valid JSON ("),
                result.message());
        assertTrue(
                result.message().endsWith("), output \"neuron-ls 2.18.0: device 0 ok\"; counting 0"), result.message());
    }

    @Test
    void aJsonObjectIsNoNeuronsWithAWarning() {
        bin.script("neuron-ls", ARGS, "echo '{\"nc_count\": 2}'");
        HardwareProbe probe = probe();
        assertEquals(0, probe.neuronCoreCount("ml.inf2.xlarge"));
        assertEquals(
                ProbeResult.failed(NO_NEURONS + "the output of " + command() + " is a JSON object, expected a "
                        + "JSON array, output \"{\\\"nc_count\\\": 2}\"; counting 0"),
                probe.neuronProbe());
    }

    @Test
    void aListingWithTrailingGarbageIsNoNeurons() {
        bin.script("neuron-ls", ARGS, "echo '[{\"nc_count\": 2}]'\necho 'warning: firmware is old'");
        assertEquals(0, probe().neuronCoreCount("ml.inf2.xlarge"));
    }

    @Test
    void stderrIsNotParsed() {
        // the reference merges stderr into the JSON it parses (and then crashes on it); we parse stdout only
        bin.script("neuron-ls", ARGS, "echo 'warning: firmware is old' >&2\necho '[{\"nc_count\": 2}]'");
        assertEquals(2, probe().neuronCoreCount("ml.inf2.xlarge"));
    }

    @Test
    void oddEntriesAreIgnoredWithAWarning() {
        bin.script("neuron-ls", ARGS, "echo '[{\"nc_count\": 2}, {\"nc_count\": \"2\"}, 7, {\"nc_count\": 4}]'");
        HardwareProbe probe = probe();
        assertEquals(6, probe.neuronCoreCount("ml.inf2.xlarge"));
        assertEquals(
                ProbeResult.foundWithWarning(
                        6,
                        "Found 6 neurons on this instance (ignored entries [1, 2] of " + "the " + command()
                                + " array: not an object with a non-negative integer nc_count)"),
                probe.neuronProbe());
    }

    @Test
    void emptyOutputIsNoNeuronsWithAWarning() {
        bin.script("neuron-ls", ARGS, "exit 0");
        HardwareProbe probe = probe();
        assertEquals(0, probe.neuronCoreCount("ml.inf2.xlarge"));
        assertEquals(
                ProbeResult.failed(NO_NEURONS + "the output of " + command() + " is empty, expected a JSON "
                        + "array, no output; counting 0"),
                probe.neuronProbe());
    }

    @Test
    void aHangingNeuronLsIsKilledAndCountsZero() {
        bin.script("neuron-ls", ARGS, "sleep 1000 &\necho $! > \"$FAKE_DIR/sleep.pid\"\nwait");
        HardwareProbe probe = new HardwareProbe(bin.searchPath(), Duration.ofMillis(1500));

        Timed timed = Timed.of(() -> probe.neuronCoreCount("ml.inf2.xlarge"));

        long sleep = bin.pid("sleep.pid");
        try {
            assertEquals(0, timed.count());
            assertTrue(timed.within(Duration.ofSeconds(8)), "took " + timed.took());
            assertEquals(
                    ProbeResult.failed(NO_NEURONS + command() + " did not finish in time (it was still running "
                            + "after 1500 ms; killed it and 1 descendant process); counting 0"),
                    probe.neuronProbe());
            assertFalse(GpuCountIT.stillRunningAfterWaiting(sleep), "the sleep child was not killed");
        } finally {
            FakeCommands.killSleep(sleep);
        }
    }

    @Test
    void gpusAndNeuronsAreProbedIndependently() {
        bin.printing("nvidia-smi", "--list-gpus", "nvidia-smi/no-driver.txt", 9);
        bin.printing("neuron-ls", ARGS, "neuron-ls/inf1.6xlarge.json", 0);
        HardwareProbe probe = probe();
        assertEquals(0, probe.gpuCount());
        assertEquals(16, probe.neuronCoreCount("ml.inf1.6xlarge"));
        assertEquals(1, bin.calls("nvidia-smi"));
        assertEquals(1, bin.calls("neuron-ls"));
    }
}
