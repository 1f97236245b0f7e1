package io.smcontainers.framework.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class InvocationResponseTest {
    @Test
    void aNewResponseIsA200WithNoReasonOrHeaders() {
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        InvocationResponse response = InvocationResponse.of(body, "application/json");
        assertEquals(200, response.status());
        assertEquals(Optional.empty(), response.reason());
        assertEquals("application/json", response.contentType());
        assertEquals(Map.of(), response.headers());
        assertSame(body, response.body(), "an array body is handed over, not copied");
        assertEquals("InvocationResponse[200, application/json, 2 bytes]", response.toString());
    }

    @Test
    void withersCopyAndLeaveTheOriginalAlone() {
        InvocationResponse plain = InvocationResponse.ofText("é", "text/plain");
        InvocationResponse changed = plain.withStatus(201)
                .withReason("Made")
                .withContentType("text/csv")
                .withHeader("X-B", "1")
                .withHeader("X-A", "2")
                .withHeader("X-B", "3");
        assertEquals(200, plain.status());
        assertEquals(Map.of(), plain.headers());
        assertEquals(201, changed.status());
        assertEquals(Optional.of("Made"), changed.reason());
        assertEquals("text/csv", changed.contentType());
        assertEquals(
                List.of("X-B", "X-A"), List.copyOf(changed.headers().keySet()), "insertion order, replaced in place");
        assertEquals("3", changed.headers().get("X-B"));
        assertEquals("é", new String(changed.body(), StandardCharsets.UTF_8));
        assertThrows(
                UnsupportedOperationException.class, () -> changed.headers().put("X-C", "4"));
    }

    @Test
    void statusMustHaveThreeDigitsAndNothingIsNull() {
        InvocationResponse ok = InvocationResponse.ofText("", "text/plain");
        IllegalArgumentException low = assertThrows(IllegalArgumentException.class, () -> ok.withStatus(99));
        assertEquals("status must be a three-digit HTTP status, got 99", low.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ok.withStatus(1000));
        assertEquals(999, ok.withStatus(999).status());
        assertThrows(NullPointerException.class, () -> InvocationResponse.of((byte[]) null, "text/plain"));
        assertThrows(NullPointerException.class, () -> InvocationResponse.ofText("", null));
        assertThrows(NullPointerException.class, () -> ok.withHeader("X", null));
        assertThrows(NullPointerException.class, () -> ok.withReason(null));
    }

    @Test
    void aBufferBodyIsAViewOfTheRemainingBytes() {
        ByteBuffer buffer = ByteBuffer.wrap("xxhello".getBytes(StandardCharsets.US_ASCII));
        buffer.position(2);
        InvocationResponse response = InvocationResponse.of(buffer, "application/octet-stream");
        assertEquals(2, buffer.position(), "the caller's buffer is left alone");
        assertEquals(5, response.payload().length());
        buffer.put(2, (byte) 'j');
        assertEquals('j', response.payload().asByteBuffer().get(0), "no copy was made");
        assertEquals("jello", response.payload().text());
    }
}
