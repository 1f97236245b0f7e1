package io.smcontainers.framework.spi;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import org.junit.jupiter.api.Test;

class PayloadTest {
    @Test
    void anArrayPayloadHandsTheArrayBackAndViewsItReadOnly() {
        byte[] bytes = "héllo".getBytes(UTF_8);
        Payload payload = Payload.wrap(bytes);
        assertSame(bytes, payload.bytes());
        assertEquals(bytes.length, payload.length());
        ByteBuffer view = payload.asByteBuffer();
        assertTrue(view.isReadOnly());
        assertEquals(bytes.length, view.remaining());
        assertThrows(ReadOnlyBufferException.class, () -> view.put(0, (byte) 1));
        bytes[0] = 'H';
        assertEquals('H', payload.asByteBuffer().get(0), "a view, not a copy");
        assertEquals("Héllo", payload.text());
    }

    @Test
    void aBufferPayloadIsAViewOfTheRemainingBytesAndCopiesOnceOnDemand() {
        ByteBuffer direct = ByteBuffer.allocateDirect(16);
        direct.put("xxabcdefyy".getBytes(UTF_8)).flip();
        direct.position(2).limit(8);
        Payload payload = Payload.wrap(direct);
        assertEquals(2, direct.position(), "the caller's position is left alone");
        assertEquals(8, direct.limit());
        assertEquals(6, payload.length());
        ByteBuffer view = payload.asByteBuffer();
        assertTrue(view.isReadOnly());
        assertEquals(0, view.position());
        assertEquals(6, view.limit());
        view.get();
        assertEquals(0, payload.asByteBuffer().position(), "each view is fresh");
        direct.put(2, (byte) 'A');
        assertEquals('A', payload.asByteBuffer().get(0), "no copy was made");
        byte[] copy = payload.bytes();
        assertArrayEquals("Abcdef".getBytes(UTF_8), copy);
        assertSame(copy, payload.bytes(), "copied once");
        assertEquals("Abcdef", payload.text());
        assertEquals("Payload[6 bytes]", payload.toString());
        assertTrue(Payload.wrap(ByteBuffer.allocate(0)).isEmpty());
    }

    @Test
    void responsesCarryArraysBuffersAndPayloadsWithoutCopying() {
        byte[] bytes = {1, 2, 3};
        InvocationResponse array = InvocationResponse.of(bytes, "application/octet-stream");
        assertSame(bytes, array.body());
        Payload request = Payload.wrap(ByteBuffer.wrap(new byte[] {4, 5, 6, 7}));
        InvocationResponse echo =
                InvocationResponse.of(request, "application/octet-stream").withStatus(201);
        assertSame(request, echo.payload());
        assertArrayEquals(new byte[] {4, 5, 6, 7}, echo.body());
        InvocationResponse buffer = InvocationResponse.of(ByteBuffer.wrap(new byte[] {9, 8, 7, 6}, 1, 2), "text/plain");
        assertArrayEquals(new byte[] {8, 7}, buffer.body());
        assertEquals("InvocationResponse[200, text/plain, 2 bytes]", buffer.toString());
        NullPointerException missing =
                assertThrows(NullPointerException.class, () -> InvocationResponse.of((ByteBuffer) null, "text/plain"));
        assertEquals("body is null", missing.getMessage());
    }
}
