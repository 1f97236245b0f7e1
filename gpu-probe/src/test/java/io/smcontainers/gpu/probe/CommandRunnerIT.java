package io.smcontainers.gpu.probe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcontainers.gpu.probe.CommandOutcome.Exited;
import io.smcontainers.gpu.probe.CommandOutcome.NotRun;
import io.smcontainers.gpu.probe.CommandOutcome.TimedOut;
import io.smcontainers.gpu.probe.testing.FakeCommands;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandRunnerIT {

    private final CommandRunner runner = new CommandRunner(Duration.ofSeconds(30));

    @Test
    void passesArgumentsAndCapturesBothStreamsAndTheExitCode(@TempDir Path tmp) {
        Path tool = new FakeCommands(tmp).executable("tool", "#!/bin/sh\nprintf '%s|' \"$@\"\necho oops >&2\nexit 3\n");
        Exited exited = assertInstanceOf(Exited.class, runner.run(tool, List.of("a b", "--c", "")));
        assertEquals(tool + " a b --c ", exited.command());
        assertEquals(3, exited.exitCode());
        assertArrayEquals("a b|--c||".getBytes(StandardCharsets.UTF_8), exited.stdout());
        assertArrayEquals("oops\n".getBytes(StandardCharsets.UTF_8), exited.stderr());
    }

    @Test
    void stdinIsEmpty(@TempDir Path tmp) {
        // a tool that reads stdin sees end of file at once instead of waiting on the caller's stdin
        Path tool = new FakeCommands(tmp).executable("tool", "#!/bin/sh\nwc -c\n");
        Exited exited = assertInstanceOf(Exited.class, runner.run(tool, List.of()));
        assertEquals("0", new String(exited.stdout(), StandardCharsets.UTF_8).strip());
    }

    @Test
    void stdoutIsCappedAndTheRestCounted(@TempDir Path tmp) {
        Path tool = new FakeCommands(tmp)
                .executable(
                        "tool",
                        "#!/bin/sh\nhead -c " + (CommandRunner.STDOUT_CAP + 12345) + " /dev/zero\n"
                                + "head -c 100000 /dev/zero >&2\n");
        Exited exited = assertInstanceOf(Exited.class, runner.run(tool, List.of()));
        assertEquals(0, exited.exitCode());
        assertEquals(CommandRunner.STDOUT_CAP, exited.stdout().length);
        assertEquals(CommandRunner.STDOUT_CAP + 12345L, exited.stdoutSize());
        assertTrue(exited.stdoutTruncated());
        assertEquals(CommandRunner.STDERR_CAP, exited.stderr().length);
    }

    @Test
    void aToolThatCannotStartIsNotRun(@TempDir Path tmp) {
        NotRun notRun = assertInstanceOf(NotRun.class, runner.run(tmp.resolve("missing"), List.of("-j")));
        assertEquals(tmp.resolve("missing") + " -j", notRun.command());
        assertTrue(notRun.reason().startsWith("could not start it: "), notRun.reason());
    }

    @Test
    void aToolThatIgnoresSigtermIsStillKilled(@TempDir Path tmp) {
        Path tool = new FakeCommands(tmp).executable("tool", "#!/bin/sh\ntrap '' TERM\nwhile :; do sleep 1; done\n");
        CommandRunner quick = new CommandRunner(Duration.ofMillis(500));
        long start = System.nanoTime();
        TimedOut timedOut = assertInstanceOf(TimedOut.class, quick.run(tool, List.of()));
        assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(8)) < 0);
        assertTrue(timedOut.detail().startsWith("it was still running after 500 ms; killed it"), timedOut.detail());
    }

    @Test
    void anInterruptedCallerGetsAnAnswerAndKeepsItsInterrupt(@TempDir Path tmp) {
        Path tool = new FakeCommands(tmp).executable("tool", "#!/bin/sh\nexec sleep 1000\n");
        Thread.currentThread().interrupt();
        try {
            NotRun notRun = assertInstanceOf(NotRun.class, runner.run(tool, List.of()));
            assertEquals("interrupted while waiting for it; killed it", notRun.reason());
            assertTrue(Thread.currentThread().isInterrupted());
        } finally {
            Thread.interrupted();
        }
    }
}
