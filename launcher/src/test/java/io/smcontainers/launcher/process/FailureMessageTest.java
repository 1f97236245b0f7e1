package io.smcontainers.launcher.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FailureMessageTest {
    private static final Command COMMAND = new Command(List.of("/usr/bin/python3", "train.py", "--epochs", "2"), Path.of("/"), Map.of());

    @Test
    void plainExitHasTheReferenceLayout() {
        assertEquals("ExecuteUserScriptError:\nExitCode 3\nErrorMessage \"\"\nCommand \"/usr/bin/python3 train.py --epochs 2\"",
                FailureMessage.of("ExecuteUserScriptError", COMMAND, new ProcessResult(3, "", 0, false)));
    }

    @Test
    void sigkillSaysPossiblyOutOfMemoryAndOtherSignalsAreNamed() {
        assertTrue(FailureMessage.of("E", COMMAND, new ProcessResult(137, "", 0, false))
                .contains("ExtraInfo \"killed by SIGKILL, possibly out of memory\"\n"));
        assertTrue(FailureMessage.of("E", COMMAND, new ProcessResult(139, "", 0, false)).contains("ExtraInfo \"killed by SIGSEGV\"\n"));
    }

    @Test
    void errorMessageStartsAtTheFirstErrorLineAndIsBounded() {
        assertEquals("ValueError: bad\nmore", FailureMessage.errorLines("epoch 1\nepoch 2\nValueError: bad\nmore\n"));
        assertEquals("just output", FailureMessage.errorLines("just output\n"));
        StringBuilder long_ = new StringBuilder("RuntimeError: start\n");
        for (int i = 0; i < 500; i++) {
            long_.append("line ").append(i).append('\n');
        }
        String bounded = FailureMessage.errorLines(long_.toString());
        assertTrue(bounded.length() <= FailureMessage.MAX_ERROR_CHARS + 3, "bounded: " + bounded.length());
        assertTrue(bounded.startsWith("...\nline "), bounded);
        assertTrue(bounded.endsWith("line 499"), bounded);
    }
}
