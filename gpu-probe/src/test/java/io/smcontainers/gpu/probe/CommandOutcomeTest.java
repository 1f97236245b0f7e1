package io.smcontainers.gpu.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcontainers.gpu.probe.CommandOutcome.Exited;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CommandOutcomeTest {

    private static Exited exited(String stdout, String stderr) {
        byte[] out = stdout.getBytes(StandardCharsets.UTF_8);
        return new Exited("/bin/tool -x", 0, out, out.length, stderr.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void stdoutTextIsStrictUtf8() {
        assertEquals(Optional.of("GPU 0: é\n"), exited("GPU 0: é\n", "").stdoutText());
        byte[] latin1 = "GPU 0: é\n".getBytes(StandardCharsets.ISO_8859_1);
        assertEquals(Optional.empty(), new Exited("t", 0, latin1, latin1.length, new byte[0]).stdoutText());
        byte[] cesuSurrogate = {(byte) 0xed, (byte) 0xa0, (byte) 0x80};
        assertEquals(Optional.empty(), new Exited("t", 0, cesuSurrogate, 3, new byte[0]).stdoutText());
    }

    @Test
    void truncatedWhenMoreWasPrintedThanKept() {
        assertFalse(new Exited("t", 0, new byte[3], 3, new byte[0]).stdoutTruncated());
        assertTrue(new Exited("t", 0, new byte[3], 4, new byte[0]).stdoutTruncated());
    }

    @Test
    void outputExcerptQuotesWhatWasPrinted() {
        assertEquals("no output", exited("", "").outputExcerpt());
        assertEquals("output \"a\\nb\"", exited("a\nb\n", "").outputExcerpt());
        assertEquals("stderr \"boom\"", exited(" \n", "boom\n").outputExcerpt());
        assertEquals("output \"a\", stderr \"boom\"", exited("a", "boom").outputExcerpt());
    }

    @Test
    void valueSemanticsAndDefensiveCopies() {
        byte[] out = {'a'};
        Exited first = new Exited("t", 1, out, 1, new byte[0]);
        out[0] = 'b';
        assertEquals(Optional.of("a"), first.stdoutText());
        first.stdout()[0] = 'c';
        assertEquals(Optional.of("a"), first.stdoutText());
        assertEquals(new Exited("t", 1, new byte[] {'a'}, 1, new byte[0]), first);
        assertEquals(new Exited("t", 1, new byte[] {'a'}, 1, new byte[0]).hashCode(), first.hashCode());
        assertNotEquals(new Exited("t", 2, new byte[] {'a'}, 1, new byte[0]), first);
        assertEquals("Exited[command=t, exitCode=1, stdoutSize=1, stdout=\"a\", stderr=\"\"]", first.toString());
    }
}
