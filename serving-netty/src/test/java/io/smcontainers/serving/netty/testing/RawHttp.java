package io.smcontainers.serving.netty.testing;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Reads HTTP/1.1 responses off a raw socket one at a time, framed strictly by {@code Content-Length} (no body for
 * 1xx, 204 and 304), as a pooling client would: a response that breaks the framing shows up as a garbled next one.
 */
public final class RawHttp {
    private final InputStream in;

    public RawHttp(InputStream in) {
        this.in = in;
    }

    /**
     * One response: status code, headers (names lower case), body.
     *
     * @param status the status code
     * @param headers the headers, names lower case, the last value of a repeated name
     * @param body the body
     */
    public record Response(int status, Map<String, String> headers, byte[] body) {
        public String text() {
            return new String(body, java.nio.charset.StandardCharsets.UTF_8);
        }

        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** The next response; the body is read whole, or counted and dropped when {@code keepBody} is false (huge answers). */
    public Response next(boolean keepBody) throws IOException {
        String head = readHead();
        String[] lines = head.split("\r\n");
        String[] statusLine = lines[0].split(" ", 3);
        if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/1.")) {
            throw new IOException("not a status line: " + lines[0]);
        }
        int status = Integer.parseInt(statusLine[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(
                    lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                    lines[i].substring(colon + 1).trim());
        }
        boolean bodiless = status < 200 || status == 204 || status == 304;
        long length = bodiless ? 0 : Long.parseLong(headers.getOrDefault("content-length", "0"));
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] buffer = new byte[65536];
        long left = length;
        long counted = 0;
        while (left > 0) {
            int read = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (read < 0) {
                throw new IOException(
                        "the connection closed after " + (length - left) + " of " + length + " body bytes");
            }
            if (keepBody) {
                body.write(buffer, 0, read);
            }
            counted += read;
            left -= read;
        }
        if (!keepBody) {
            headers.put("x-test-body-bytes-read", Long.toString(counted));
        }
        return new Response(status, headers, body.toByteArray());
    }

    /** Whether the server closed the connection (end of stream) with nothing more to read. */
    public boolean closed() throws IOException {
        return in.read() < 0;
    }

    private String readHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int next = in.read();
            if (next < 0) {
                throw new IOException("the connection closed before a response head; read: " + head.toString(US_ASCII));
            }
            head.write(next);
            matched =
                    (next == '\r' && (matched == 0 || matched == 2)) || (next == '\n' && (matched == 1 || matched == 3))
                            ? matched + 1
                            : 0;
        }
        String text = head.toString(US_ASCII);
        return text.substring(0, text.length() - 4);
    }
}
