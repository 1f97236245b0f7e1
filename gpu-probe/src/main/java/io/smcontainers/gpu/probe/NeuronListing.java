package io.smcontainers.gpu.probe;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Reads the output of {@code neuron-ls -j}: a JSON array with one object per Neuron device. */
final class NeuronListing {

    static final String NC_COUNT = "nc_count";

    /** Trailing content after the array is an error, as it is for Python's {@code json.loads}. */
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private NeuronListing() {}

    /**
     * The sum of {@code nc_count} over the devices.
     *
     * @param cores the total number of Neuron cores
     * @param ignoredEntries indexes (0-based) of entries that are not objects or whose {@code nc_count} is not a
     *     non-negative integer; they add nothing. An object without {@code nc_count} adds 0 and is not listed here
     *     (the reference reads a missing {@code nc_count} as 0).
     */
    record NeuronCores(int cores, List<Integer> ignoredEntries) {
        NeuronCores {
            if (cores < 0) {
                throw new IllegalArgumentException("cores must not be negative, got " + cores);
            }
            ignoredEntries = List.copyOf(ignoredEntries);
        }
    }

    /**
     * Parses a {@code neuron-ls -j} listing.
     *
     * @throws IllegalArgumentException if {@code json} is not a JSON array, or the total does not fit an int; the
     *     message says what is wrong
     */
    static NeuronCores countCores(String json) {
        requireNonNull(json, "json is null");
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("not valid JSON (" + firstLine(e.getMessage()) + ")", e);
        }
        if (root == null || root.isMissingNode()) {
            throw new IllegalArgumentException("empty, expected a JSON array");
        }
        if (!root.isArray()) {
            throw new IllegalArgumentException("a JSON "
                    + root.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + ", expected a JSON array");
        }
        int total = 0;
        List<Integer> ignored = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            JsonNode entry = root.get(i);
            if (!entry.isObject()) {
                ignored.add(i);
                continue;
            }
            JsonNode count = entry.get(NC_COUNT);
            if (count == null) {
                continue;
            }
            if (!count.isIntegralNumber() || !count.canConvertToInt() || count.intValue() < 0) {
                ignored.add(i);
                continue;
            }
            try {
                total = Math.addExact(total, count.intValue());
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("the nc_count values add up to more than " + Integer.MAX_VALUE, e);
            }
        }
        return new NeuronCores(total, ignored);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "no detail";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
