package io.smcontainers.framework.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ExecutionParametersTest {
    private static ServingContext context(int workers, Optional<Integer> maxPayloadInMb) {
        return new ServingContext() {
            @Override
            public Path baseDir() {
                return Path.of("/opt/ml");
            }

            @Override
            public Path modelDir() {
                return Path.of("/opt/ml/model");
            }

            @Override
            public int workers() {
                return workers;
            }

            @Override
            public String defaultAccept() {
                return "application/json";
            }

            @Override
            public Optional<Integer> maxPayloadInMb() {
                return maxPayloadInMb;
            }

            @Override
            public boolean multiModel() {
                return false;
            }

            @Override
            public Optional<String> program() {
                return Optional.empty();
            }

            @Override
            public Map<String, String> environment() {
                return Map.of();
            }
        };
    }

    @Test
    void defaultsAreTheWorkersMultiRecordAndThePayloadLimitClampedTo1To100() {
        assertEquals(
                new ExecutionParameters(4, "MULTI_RECORD", 6),
                ExecutionParameters.defaults(context(4, Optional.empty())));
        assertEquals(
                new ExecutionParameters(1, "MULTI_RECORD", 20),
                ExecutionParameters.defaults(context(1, Optional.of(20))));
        assertEquals(
                100, ExecutionParameters.defaults(context(1, Optional.of(500))).maxPayloadInMb());
        assertEquals(1, ExecutionParameters.defaults(context(1, Optional.of(0))).maxPayloadInMb());
    }

    @Test
    void badValuesAreRefusedNamingTheField() {
        assertEquals(
                "maxConcurrentTransforms must be >= 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> new ExecutionParameters(0, "MULTI_RECORD", 6))
                        .getMessage());
        assertEquals(
                "batchStrategy must be MULTI_RECORD or SINGLE_RECORD, got 'multi_record'",
                assertThrows(IllegalArgumentException.class, () -> new ExecutionParameters(1, "multi_record", 6))
                        .getMessage());
        assertEquals(
                "maxPayloadInMb must be in 1..100, got 101",
                assertThrows(IllegalArgumentException.class, () -> new ExecutionParameters(1, "SINGLE_RECORD", 101))
                        .getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ExecutionParameters(1, "SINGLE_RECORD", 0));
        assertThrows(NullPointerException.class, () -> new ExecutionParameters(1, null, 6));
        assertEquals(100, new ExecutionParameters(1, "SINGLE_RECORD", 100).maxPayloadInMb());
    }
}
