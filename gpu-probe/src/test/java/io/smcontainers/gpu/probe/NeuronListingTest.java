package io.smcontainers.gpu.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcontainers.gpu.probe.NeuronListing.NeuronCores;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class NeuronListingTest {

    @Test
    void neuronCountInNeuronInstance() {
        // reference test: [{"nc_count": 2}] -> 2
        assertEquals(new NeuronCores(2, List.of()), NeuronListing.countCores("[{\"nc_count\":2}]"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "neuron-ls/trn1.32xlarge.json, 32",
        "neuron-ls/inf1.6xlarge.json, 16",
        "neuron-ls/inf2.xlarge.json, 2",
    })
    void recordedListings(String resource, int cores) throws IOException {
        assertEquals(new NeuronCores(cores, List.of()), NeuronListing.countCores(GpuListingTest.fake(resource)));
    }

    @Test
    void emptyArrayIsNoCores() {
        assertEquals(new NeuronCores(0, List.of()), NeuronListing.countCores(" [ ]\n"));
    }

    @Test
    void aMissingNcCountAddsNothingLikeTheReference() {
        assertEquals(
                new NeuronCores(4, List.of()),
                NeuronListing.countCores("[{\"neuron_device\":0},{\"neuron_device\":1,\"nc_count\":4}]"));
    }

    @Test
    void onlyObjectsWithANonNegativeIntegerNcCountAreCounted() {
        String json = "[{\"nc_count\":2}, 3, \"x\", null, [], {\"nc_count\":\"4\"}, {\"nc_count\":-1},"
                + " {\"nc_count\":2.0}, {\"nc_count\":true}, {\"nc_count\":null}, {\"nc_count\":1e2},"
                + " {\"nc_count\":99999999999999999999}, {\"nc_count\":{}}, {\"nc_count\":8}]";
        assertEquals(
                new NeuronCores(10, List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)), NeuronListing.countCores(json));
    }

    @Test
    void duplicateKeysKeepTheLastValueLikePython() {
        assertEquals(new NeuronCores(8, List.of()), NeuronListing.countCores("[{\"nc_count\":2,\"nc_count\":8}]"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "error: Failed to discover Neuron devices",
                "[{\"nc_count\":2}",
                "[{\"nc_count\":2}] trailing",
                "[{\"nc_count\":2}][]",
                "[{'nc_count':2}]",
                "[{\"nc_count\":2},]",
                "\uFEFF[]",
            })
    void garbageIsNotJson(String output) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> NeuronListing.countCores(output));
        assertTrue(e.getMessage().startsWith("not valid JSON ("), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"nc_count\":2}|a JSON object, expected a JSON array",
                "2|a JSON number, expected a JSON array",
                "\"[]\"|a JSON string, expected a JSON array",
                "null|a JSON null, expected a JSON array",
            })
    void otherJsonIsNotAListing(String output, String message) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> NeuronListing.countCores(output));
        assertEquals(message, e.getMessage());
    }

    @Test
    void emptyOutputIsNotAListing() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> NeuronListing.countCores(" \n"));
        assertEquals("empty, expected a JSON array", e.getMessage());
    }

    @Test
    void aTotalBeyondIntIsRejected() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> NeuronListing.countCores("[{\"nc_count\":2147483647},{\"nc_count\":1}]"));
        assertEquals("the nc_count values add up to more than 2147483647", e.getMessage());
    }
}
