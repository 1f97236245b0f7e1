package io.smcontainers.launcher.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FailureMessageTest {
    private static final Command COMMAND =
            new Command(List.of("/usr/bin/python3", "train.py", "--epochs", "2"), Path.of("/"), Map.of());

    @Test
    void plainExitHasTheReferenceLayout() {
        assertEquals(
                "ExecuteUserScriptError:\nExitCode 3\nErrorMessage \"\"\nCommand \"/usr/bin/python3 train.py --epochs 2\"",
                FailureMessage.of("ExecuteUserScriptError", COMMAND, new ProcessResult(3, "", 0, false)));
    }

    @Test
    void sigkillSaysPossiblyOutOfMemoryAndOtherSignalsAreNamed() {
        assertTrue(FailureMessage.of("E", COMMAND, new ProcessResult(137, "", 0, false))
                .contains("ExtraInfo \"killed by SIGKILL, possibly out of memory\"\n"));
        assertTrue(FailureMessage.of("E", COMMAND, new ProcessResult(139, "", 0, false))
                .contains("ExtraInfo \"killed by SIGSEGV\"\n"));
    }

    @Test
    void stopIsReportedWithTheSignalThatCame() {
        assertTrue(FailureMessage.of("E", COMMAND, new ProcessResult(130, "", 0, 2))
                .contains("ExtraInfo \"stopped: the training job was asked to stop (SIGINT)\"\n"));
        assertTrue(FailureMessage.of("E", COMMAND, new ProcessResult(143, "", 0, 15))
                .contains("ExtraInfo \"stopped: the training job was asked to stop (SIGTERM)\"\n"));
    }

    @Test
    void hugeArgumentsAreCutInTheCommandLine() {
        Command huge = new Command(
                List.of("python3", "train.py", "--big", "x".repeat(1 << 20), "--token", "secret"),
                Path.of("/"),
                Map.of());
        String message = FailureMessage.of("E", huge, new ProcessResult(1, "", 0, false));
        assertTrue(message.length() < 400, "length " + message.length());
        assertTrue(
                message.endsWith("--big " + "x".repeat(100) + "...[+1048476 characters] --token ********\""), message);
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
