package io.smcontainers.framework.spi;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * A body (of a request, or of an {@link InvocationResponse}) with the views the reference toolkits disagree on: the raw
 * bytes, and the text for the types the reference decodes as UTF-8 ({@code application/json}, {@code text/csv}).
 *
 * <p>A payload holds either an array ({@link #wrap(byte[])}, {@link #ofText(String)}) or a buffer ({@link #wrap(ByteBuffer)};
 * the runtime hands request bodies over this way, straight from its network buffers). {@link #asByteBuffer()} is always
 * a read-only view without a copy; {@link #bytes()} copies a buffer-backed payload once, on first use, and returns that
 * array from then on. A handler that forwards bytes (echo, proxy, a model that reads a {@code ByteBuffer}) should use
 * {@link #asByteBuffer()} and answer with {@link InvocationResponse#of(Payload, String)} or
 * {@link InvocationResponse#of(ByteBuffer, String)}: no copy is made either way.
 *
 * <p>Lifetime: a request payload and its views belong to the invocation: read them until {@code transform} (or
 * {@code decode}) returns, never after (its memory is reused for later requests), except through the response it
 * returns: the runtime keeps the request's memory until that response is written. A payload is not safe for concurrent
 * use by several threads.
 */
public final class Payload {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

    private final ByteBuffer buffer;
    private final int length;
    private byte[] bytes;

    private Payload(byte[] bytes, ByteBuffer buffer, int length) {
        this.bytes = bytes;
        this.buffer = buffer;
        this.length = length;
    }

    /** Wraps the array without copying: the caller hands it over, and {@link #bytes()} returns this very array. */
    public static Payload wrap(byte[] bytes) {
        requireNonNull(bytes, "bytes is null");
        return new Payload(bytes, null, bytes.length);
    }

    /**
     * Wraps the remaining bytes of the buffer (position to limit) without copying; the buffer's own position and limit
     * are left alone. The caller must not change those bytes while the payload is in use.
     */
    public static Payload wrap(ByteBuffer buffer) {
        requireNonNull(buffer, "buffer is null");
        ByteBuffer view = buffer.hasRemaining() ? buffer.slice().asReadOnlyBuffer() : EMPTY;
        return new Payload(null, view, view.remaining());
    }

    public static Payload ofText(String text) {
        return wrap(requireNonNull(text, "text is null").getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The bytes as an array. For an array-backed payload, that array (not copied: a handler may read or reuse it but not
     * keep it past the invocation); for a buffer-backed one, a copy made on the first call and returned by later ones.
     */
    public byte[] bytes() {
        byte[] out = bytes;
        if (out == null) {
            out = new byte[length];
            buffer.duplicate().get(out);
            bytes = out;
        }
        return out;
    }

    /** A read-only view of the bytes (position 0, limit {@link #length()}), never a copy; each call returns a fresh view. */
    public ByteBuffer asByteBuffer() {
        return buffer != null ? buffer.duplicate() : ByteBuffer.wrap(bytes).asReadOnlyBuffer();
    }

    public int length() {
        return length;
    }

    public boolean isEmpty() {
        return length == 0;
    }

    /** The body decoded as UTF-8 (malformed sequences replaced). */
    public String text() {
        return text(StandardCharsets.UTF_8);
    }

    public String text(Charset charset) {
        return new String(bytes(), requireNonNull(charset, "charset is null"));
    }

    public InputStream stream() {
        return new ByteArrayInputStream(bytes());
    }

    @Override
    public String toString() {
        return "Payload[" + length + " bytes]";
    }
}
