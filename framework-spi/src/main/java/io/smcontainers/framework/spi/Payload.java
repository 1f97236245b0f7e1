package io.smcontainers.framework.spi;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * A request body with both views the reference toolkits disagree on: the raw bytes, and the text for the
 * types the reference decodes as UTF-8 ({@code application/json}, {@code text/csv}).
 */
public final class Payload {
    private final byte[] bytes;

    private Payload(byte[] bytes) {
        this.bytes = bytes;
    }

    /** Wraps the array without copying: the caller hands it over. */
    public static Payload wrap(byte[] bytes) {
        return new Payload(requireNonNull(bytes, "bytes is null"));
    }

    public static Payload ofText(String text) {
        return new Payload(requireNonNull(text, "text is null").getBytes(StandardCharsets.UTF_8));
    }

    /** The bytes, not copied: this invocation owns them, so a handler may read or reuse them but not keep them. */
    public byte[] bytes() {
        return bytes;
    }

    public int length() {
        return bytes.length;
    }

    public boolean isEmpty() {
        return bytes.length == 0;
    }

    /** The body decoded as UTF-8 (malformed sequences replaced). */
    public String text() {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    public String text(Charset charset) {
        return new String(bytes, requireNonNull(charset, "charset is null"));
    }

    public InputStream stream() {
        return new ByteArrayInputStream(bytes);
    }

    @Override
    public String toString() {
        return "Payload[" + bytes.length + " bytes]";
    }
}
