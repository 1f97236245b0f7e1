package io.smcontainers.gpu.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ExcerptTest {

    @Test
    void trimsAndShowsLineBreaksOnOneLine() {
        assertEquals("NVIDIA-SMI has failed.\\n\\nMake sure", Excerpt.of("  NVIDIA-SMI has failed.\n\nMake sure\n"));
        assertEquals("a\\r\\nb\\tc", Excerpt.of("a\r\nb\tc"));
    }

    @Test
    void escapesQuotesBackslashesAndControlCharacters() {
        assertEquals(
                "say \\\"hi\\\" C:\\\\x \\x00\\x1b[31m\\x7f \\u0085\\u2028end",
                Excerpt.of("say \"hi\" C:\\x \0\u001b[31m\u007f \u0085\u2028end"));
    }

    @Test
    void cutsLongTextWithAnEllipsis() {
        String cut = Excerpt.of("x".repeat(Excerpt.MAX_CHARS + 1));
        assertEquals("x".repeat(Excerpt.MAX_CHARS) + "…", cut);
        assertEquals("x".repeat(Excerpt.MAX_CHARS), Excerpt.of("x".repeat(Excerpt.MAX_CHARS)));
    }

    @Test
    void bytesAreDecodedLenientlyAndOnlyTheStartIsRead() {
        assertEquals("\uFFFD\uFFFDGPU 0", Excerpt.of(new byte[] {(byte) 0xff, (byte) 0xfe, 'G', 'P', 'U', ' ', '0'}));
        assertEquals("é", Excerpt.of("é".getBytes(StandardCharsets.UTF_8)));
        byte[] huge = "y".repeat(10_000_000).getBytes(StandardCharsets.US_ASCII);
        assertEquals("y".repeat(Excerpt.MAX_CHARS) + "…", Excerpt.of(huge));
        assertEquals("", Excerpt.of(new byte[0]));
    }
}
