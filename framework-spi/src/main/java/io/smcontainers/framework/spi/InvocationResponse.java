package io.smcontainers.framework.spi;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What an invocation answers: status (200 by default), optional reason phrase, content type, extra headers
 * (for example {@code X-Amzn-SageMaker-Custom-Attributes}) and body. Immutable; the {@code with*} methods copy.
 *
 * <p>The runtime owns the message framing: it answers a status outside 200-599 with a 500 (and logs it), since a 1xx
 * is not a final answer and would leave the request open; it drops the framing and hop-by-hop headers
 * {@code Content-Length}, {@code Transfer-Encoding}, {@code Connection}, {@code Keep-Alive}, {@code Upgrade},
 * {@code TE}, {@code Trailer} and {@code Proxy-Connection} (with a log line), and sends 204, 205 and 304 without a body.
 */
public final class InvocationResponse {
    private final int status;
    private final Optional<String> reason;
    private final String contentType;
    private final Map<String, String> headers;
    private final Payload body;

    private InvocationResponse(
            int status, Optional<String> reason, String contentType, Map<String, String> headers, Payload body) {
        if (status < 100 || status > 999) {
            throw new IllegalArgumentException("status must be a three-digit HTTP status, got " + status);
        }
        this.status = status;
        this.reason = requireNonNull(reason, "reason is null");
        this.contentType = requireNonNull(contentType, "contentType is null");
        this.headers = headers;
        this.body = requireNonNull(body, "body is null");
    }

    /** A 200 answer; the array is handed over, not copied. */
    public static InvocationResponse of(byte[] body, String contentType) {
        return of(Payload.wrap(requireNonNull(body, "body is null")), contentType);
    }

    /**
     * A 200 answer with the buffer's remaining bytes, not copied: the runtime writes them after {@code transform} returns,
     * so they must not change until then. A view of the request body ({@link Payload#asByteBuffer()}) is fine: the
     * runtime keeps the request's memory until the response is written.
     */
    public static InvocationResponse of(ByteBuffer body, String contentType) {
        return of(Payload.wrap(requireNonNull(body, "body is null")), contentType);
    }

    /** A 200 answer with the payload's bytes, not copied (the request body itself, for an echo or a proxy). */
    public static InvocationResponse of(Payload body, String contentType) {
        return new InvocationResponse(200, Optional.empty(), contentType, Map.of(), body);
    }

    /** A 200 answer with a UTF-8 text body. */
    public static InvocationResponse ofText(String body, String contentType) {
        return of(requireNonNull(body, "body is null").getBytes(StandardCharsets.UTF_8), contentType);
    }

    /** Another status; the runtime sends 200-599 only (others become a 500). */
    public InvocationResponse withStatus(int newStatus) {
        return new InvocationResponse(newStatus, reason, contentType, headers, body);
    }

    /** A custom reason phrase; CR and LF become spaces and non-ASCII characters {@code ?} on the wire. */
    public InvocationResponse withReason(String newReason) {
        return new InvocationResponse(
                status, Optional.of(requireNonNull(newReason, "newReason is null")), contentType, headers, body);
    }

    public InvocationResponse withContentType(String newContentType) {
        return new InvocationResponse(status, reason, newContentType, headers, body);
    }

    /**
     * Adds or replaces a response header (names compared as given). Framing and hop-by-hop headers
     * ({@code Content-Length}, {@code Transfer-Encoding}, {@code Connection}, {@code Keep-Alive}, {@code Upgrade},
     * {@code TE}, {@code Trailer}) are the runtime's: it drops them.
     */
    public InvocationResponse withHeader(String name, String value) {
        requireNonNull(name, "name is null");
        requireNonNull(value, "value is null");
        Map<String, String> copy = new LinkedHashMap<>(headers);
        copy.put(name, value);
        return new InvocationResponse(status, reason, contentType, Collections.unmodifiableMap(copy), body);
    }

    public int status() {
        return status;
    }

    public Optional<String> reason() {
        return reason;
    }

    public String contentType() {
        return contentType;
    }

    /** Extra headers in insertion order. */
    public Map<String, String> headers() {
        return headers;
    }

    /** The body as an array: the one given to {@link #of(byte[], String)}, else a copy (see {@link Payload#bytes()}). */
    public byte[] body() {
        return body.bytes();
    }

    /** The body as a payload, for reading it without a copy ({@link Payload#asByteBuffer()}). */
    public Payload payload() {
        return body;
    }

    @Override
    public String toString() {
        return "InvocationResponse[" + status + ", " + contentType + ", " + body.length() + " bytes]";
    }
}
