package io.smcontainers.gpu.probe;

import java.nio.charset.StandardCharsets;

/** Short, single-line, printable quotes of command output for log lines. */
final class Excerpt {

    /** At most this many characters of output are quoted in a log line. */
    static final int MAX_CHARS = 200;

    private Excerpt() {}

    /** Decodes leniently (bad UTF-8 becomes U+FFFD) and quotes the start of {@code bytes}; see {@link #of(String)}. */
    static String of(byte[] bytes) {
        // decode no more than needed: 4 bytes per character at most
        int length = Math.min(bytes.length, MAX_CHARS * 4 + 4);
        String text = new String(bytes, 0, length, StandardCharsets.UTF_8);
        return of(text, length < bytes.length);
    }

    /**
     * The start of {@code text}, trimmed, with line breaks shown as {@code \n}, other control characters as
     * {@code \xNN} or {@code \}{@code uNNNN}, quotes and backslashes escaped, and an ellipsis when cut.
     */
    static String of(String text) {
        return of(text, false);
    }

    private static String of(String text, boolean moreFollows) {
        String trimmed = moreFollows ? text.stripLeading() : text.strip();
        StringBuilder out = new StringBuilder();
        int shown = 0;
        int i = 0;
        for (; i < trimmed.length() && shown < MAX_CHARS; i++, shown++) {
            char c = trimmed.charAt(i);
            if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (c == '\t') {
                out.append("\\t");
            } else if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\x%02x", (int) c));
            } else if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (i < trimmed.length() || moreFollows) {
            out.append('…');
        }
        return out.toString();
    }
}
