package io.smcontainers.launcher.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.Map;
import net.logstash.logback.encoder.LogstashEncoder;
import org.junit.jupiter.api.Test;

class LogSetupTest {
    private static final LoggerContext CONTEXT = new LoggerContext();
    private static final Logger LOGGER = CONTEXT.getLogger("io.smcontainers.serving.netty.Job");

    @Test
    void jsonIsOneObjectPerLineWithTheMdcAsFields() throws Exception {
        LogstashEncoder encoder = LogSetup.jsonEncoder(CONTEXT);
        LoggingEvent event = new LoggingEvent(
                Logger.class.getName(),
                LOGGER,
                Level.WARN,
                "Invocation {} failed: \"{}\"\nsecond line",
                new IllegalStateException("boom"),
                new Object[] {"r-1", "bad input"});
        event.setTimeStamp(1_700_000_000_123L);
        event.setThreadName("smc-inference-3");
        event.setMDCPropertyMap(Map.of("request_id", "r-1", "model", "resnet", "worker", "smc-inference-3"));
        String line = new String(encoder.encode(event), StandardCharsets.UTF_8);
        assertTrue(line.endsWith("}\n"), line);
        assertEquals(1, line.split("\n").length, "one line: " + line);
        JsonNode json = new ObjectMapper().readTree(line);
        assertEquals(
                1_700_000_000_123L,
                OffsetDateTime.parse(json.get("time").asText()).toInstant().toEpochMilli());
        assertEquals("WARN", json.get("level").asText());
        assertEquals("io.smcontainers.serving.netty.Job", json.get("logger").asText());
        assertEquals("smc-inference-3", json.get("thread").asText());
        assertEquals(
                "Invocation r-1 failed: \"bad input\"\nsecond line",
                json.get("message").asText());
        assertEquals("r-1", json.get("request_id").asText());
        assertEquals("resnet", json.get("model").asText());
        assertEquals("smc-inference-3", json.get("worker").asText());
        assertTrue(json.get("stack_trace").asText().startsWith("java.lang.IllegalStateException: boom"), line);
        assertFalse(json.has("@version") || json.has("level_value") || json.has("@timestamp"), line);
    }

    @Test
    void textIsTheReferenceLayoutByteForByte() {
        LogSetup.ReferenceLayout layout = new LogSetup.ReferenceLayout();
        LoggingEvent event = new LoggingEvent(
                Logger.class.getName(), LOGGER, Level.WARN, "Reporting training {}", null, new Object[] {"FAILURE"});
        java.time.LocalDateTime local = java.time.LocalDateTime.of(2026, 11, 23, 7, 5, 51, 37_000_000);
        event.setTimeStamp(
                local.atZone(java.time.ZoneId.systemDefault()).toInstant().toEpochMilli());
        assertEquals(
                "2026-11-23 07:05:51,037 sagemaker-training-toolkit WARNING  Reporting training FAILURE"
                        + System.lineSeparator(),
                layout.doLayout(event));
    }
}
