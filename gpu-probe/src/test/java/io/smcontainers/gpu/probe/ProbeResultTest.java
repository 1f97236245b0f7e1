package io.smcontainers.gpu.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.smcontainers.gpu.probe.testing.RecordingLogger;
import io.smcontainers.gpu.probe.testing.RecordingLogger.Line;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

class ProbeResultTest {

    @Test
    void factoriesPickTheLevel() {
        assertEquals(new ProbeResult(3, Level.INFO, "m"), ProbeResult.found(3, "m"));
        assertEquals(new ProbeResult(3, Level.WARN, "m"), ProbeResult.foundWithWarning(3, "m"));
        assertEquals(new ProbeResult(0, Level.INFO, "m"), ProbeResult.none("m"));
        assertEquals(new ProbeResult(0, Level.WARN, "m"), ProbeResult.failed("m"));
    }

    @Test
    void logsTheMessageVerbatimAtItsLevel() {
        RecordingLogger logger = new RecordingLogger();
        ProbeResult.none("No GPUs detected (normal if no gpus installed): output \"{}\"")
                .log(logger);
        ProbeResult.failed("No Neurons detected (normal if no neurons installed): hung")
                .log(logger);
        assertEquals(
                List.of(
                        new Line(Level.INFO, "No GPUs detected (normal if no gpus installed): output \"{}\""),
                        new Line(Level.WARN, "No Neurons detected (normal if no neurons installed): hung")),
                logger.lines());
    }

    @Test
    void rejectsNegativeCountsAndNulls() {
        assertThrows(IllegalArgumentException.class, () -> new ProbeResult(-1, Level.INFO, "m"));
        assertThrows(NullPointerException.class, () -> new ProbeResult(0, null, "m"));
        assertThrows(NullPointerException.class, () -> new ProbeResult(0, Level.INFO, null));
    }
}
