package io.smcontainers.gpu.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcontainers.gpu.probe.testing.FakeCommands;
import io.smcontainers.gpu.probe.testing.Timed;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.event.Level;

/** {@code num_gpus} against fake {@code nvidia-smi} executables that print what the real one prints. */
class GpuCountIT {

    private static final String ARGS = "--list-gpus";
    /** Short enough to keep the hang tests quick, long enough for a shell script on a busy machine. */
    private static final Duration SHORT = Duration.ofMillis(1500);
    /** The hang tests must return well before this. */
    private static final Duration BOUND = Duration.ofSeconds(8);

    @TempDir
    Path tmp;

    private FakeCommands bin;

    @BeforeEach
    void setUp() {
        bin = new FakeCommands(tmp);
    }

    private HardwareProbe probe() {
        return new HardwareProbe(bin.searchPath(), Duration.ofSeconds(30));
    }

    private String command() {
        return tmp.resolve("nvidia-smi") + " " + ARGS;
    }

    @Test
    void gpuCountInGpuInstance() {
        bin.script("nvidia-smi", ARGS, "printf 'GPU 0\\nGPU 1'");
        HardwareProbe probe = probe();
        assertEquals(2, probe.gpuCount());
        assertEquals(ProbeResult.found(2, "Found 2 GPUs on this instance"), probe.gpuProbe());
    }

    @Test
    void oneGpu() {
        bin.printing("nvidia-smi", ARGS, "nvidia-smi/g4dn.xlarge-1-gpu.txt", 0);
        assertEquals(1, probe().gpuCount());
    }

    @Test
    void eightGpus() {
        bin.printing("nvidia-smi", ARGS, "nvidia-smi/p4d.24xlarge-8-gpus.txt", 0);
        assertEquals(8, probe().gpuCount());
    }

    @Test
    void migDevicesAreNotCounted() {
        bin.printing("nvidia-smi", ARGS, "nvidia-smi/mig-3-gpus-5-mig-devices.txt", 0);
        assertEquals(3, probe().gpuCount());
    }

    @Test
    void gpuCountInCpuInstance() {
        HardwareProbe probe = probe();
        assertEquals(0, probe.gpuCount());
        assertEquals(
                ProbeResult.none("No GPUs detected (normal if no gpus installed): nvidia-smi is not an "
                        + "executable file on PATH [" + tmp + "]"),
                probe.gpuProbe());
    }

    @Test
    void driverErrorExitNineIsNoGpus() {
        bin.printing("nvidia-smi", ARGS, "nvidia-smi/no-driver.txt", 9);
        HardwareProbe probe = probe();
        assertEquals(0, probe.gpuCount());
        assertEquals(
                ProbeResult.none("No GPUs detected (normal if no gpus installed): " + command()
                        + " exited with code 9, output \"NVIDIA-SMI has failed because it couldn't communicate with "
                        + "the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.\""),
                probe.gpuProbe());
    }

    @Test
    void noDevicesIsNoGpus() {
        bin.printing("nvidia-smi", ARGS, "nvidia-smi/no-devices.txt", 6);
        HardwareProbe probe = probe();
        assertEquals(0, probe.gpuCount());
        assertEquals(
                ProbeResult.none("No GPUs detected (normal if no gpus installed): " + command()
                        + " exited with code 6, output \"No devices were found\""),
                probe.gpuProbe());
    }

    @Test
    void nonZeroExitWithGpuLinesIsNoGpus() {
        bin.printing("nvidia-smi", ARGS, "nvidia-smi/p4d.24xlarge-8-gpus.txt", 1);
        HardwareProbe probe = probe();
        assertEquals(0, probe.gpuCount());
        assertTrue(
                probe.gpuProbe().message().contains(" exited with code 1, output \"GPU 0: NVIDIA A100"),
                probe.gpuProbe().message());
    }

    @Test
    void stderrIsQuotedInTheLogLine() {
        bin.script(
                "nvidia-smi", ARGS, "echo 'Failed to initialize NVML: Driver/library version mismatch' >&2\nexit 18");
        HardwareProbe probe = probe();
        assertEquals(0, probe.gpuCount());
        assertEquals(
                ProbeResult.none(
                        "No GPUs detected (normal if no gpus installed): " + command()
                                + " exited with code 18, stderr \"Failed to initialize NVML: Driver/library version mismatch\""),
                probe.gpuProbe());
    }

    @Test
    void wrongArgumentsWouldBeNoticed() {
        // the fakes check their arguments: a fake expecting other arguments exits 64, so the counts above are real
        bin.printing("nvidia-smi", "-L", "nvidia-smi/p4d.24xlarge-8-gpus.txt", 0);
        HardwareProbe probe = probe();
        assertEquals(0, probe.gpuCount());
        assertTrue(
                probe.gpuProbe()
                        .message()
                        .endsWith("exited with code 64, stderr \"fake nvidia-smi: unexpected arguments: --list-gpus\""),
                probe.gpuProbe().message());
    }

    @Test
    void killedBySignalIsNoGpus() {
        bin.script("nvidia-smi", ARGS, "echo 'GPU 0: NVIDIA A100-SXM4-40GB'\nkill -KILL $$");
        HardwareProbe probe = probe();
        assertEquals(0, probe.gpuCount());
        assertTrue(
                probe.gpuProbe().message().contains(" exited with code 137, "),
                probe.gpuProbe().message());
    }

    @Test
    void nonExecutableFileIsNotRun() throws IOException {
        bin.printing("nvidia-smi", ARGS, "nvidia-smi/p4d.24xlarge-8-gpus.txt", 0);
        Files.setPosixFilePermissions(tmp.resolve("nvidia-smi"), PosixFilePermissions.fromString("rw-r--r--"));
        HardwareProbe probe = probe();
        assertEquals(0, probe.gpuCount());
        assertEquals(0, bin.calls("nvidia-smi"));
        assertTrue(probe.gpuProbe().message().endsWith("nvidia-smi is not an executable file on PATH [" + tmp + "]"));
    }

    @Test
    void theFirstExecutableOnThePathWins() throws IOException {
        Path first = Files.createDirectories(tmp.resolve("first"));
        Path second = Files.createDirectories(tmp.resolve("second"));
        Path third = Files.createDirectories(tmp.resolve("third"));
        Files.createDirectories(first.resolve("nvidia-smi")); // a directory: skipped
        Files.writeString(second.resolve("nvidia-smi"), "#!/bin/sh\necho 'GPU 0: x'\n"); // not executable: skipped
        new FakeCommands(third).printing("nvidia-smi", ARGS, "nvidia-smi/mig-3-gpus-5-mig-devices.txt", 0);
        bin.printing("nvidia-smi", ARGS, "nvidia-smi/p4d.24xlarge-8-gpus.txt", 0);

        HardwareProbe probe = new HardwareProbe(List.of(first, second, third, tmp), Duration.ofSeconds(30));
        assertEquals(3, probe.gpuCount());
        assertEquals(0, bin.calls("nvidia-smi"));
    }

    @Test
    void aBrokenInterpreterIsNoGpus() {
        bin.executable("nvidia-smi", "#!/nonexistent/interpreter\n");
        HardwareProbe probe = probe();
        assertEquals(0, probe.gpuCount());
        String message = probe.gpuProbe().message();
        assertTrue(
                message.startsWith("No GPUs detected (normal if no gpus installed): could not run " + command()
                        + ": could not start it: "),
                message);
    }

    @Test
    void theCountIsComputedOnce() {
        bin.printing("nvidia-smi", ARGS, "nvidia-smi/p4d.24xlarge-8-gpus.txt", 0);
        HardwareProbe probe = probe();
        assertEquals(8, probe.gpuCount());
        assertEquals(8, probe.gpuCount());
        assertEquals(1, bin.calls("nvidia-smi"));
    }

    @Test
    void aFailureIsCachedToo() {
        bin.printing("nvidia-smi", ARGS, "nvidia-smi/no-driver.txt", 9);
        HardwareProbe probe = probe();
        assertEquals(0, probe.gpuCount());
        assertEquals(0, probe.gpuCount());
        assertEquals(1, bin.calls("nvidia-smi"));
    }

    @Test
    void emptyOutputIsNoGpus() {
        bin.script("nvidia-smi", ARGS, "exit 0");
        HardwareProbe probe = probe();
        assertEquals(0, probe.gpuCount());
        assertEquals(
                ProbeResult.none("No GPUs detected (normal if no gpus installed): " + command() + " listed no GPUs"),
                probe.gpuProbe());
    }

    @Test
    void textGarbageIsNoGpusWithAWarning() {
        bin.script("nvidia-smi", ARGS, "echo 'Segmentation fault (core dumped)'\necho 'gpu0 gpu1'");
        HardwareProbe probe = probe();
        assertEquals(0, probe.gpuCount());
        assertEquals(
                ProbeResult.failed("No GPUs detected (normal if no gpus installed): " + command()
                        + " printed no line starting with \"GPU \", output \"Segmentation fault (core dumped)\\ngpu0 "
                        + "gpu1\"; counting 0"),
                probe.gpuProbe());
    }

    @Test
    void binaryJunkIsNoGpusWithAWarning() {
        ByteArrayOutputStream junk = new ByteArrayOutputStream();
        junk.writeBytes("GPU 0: NVIDIA A100-SXM4-40GB\n".getBytes(StandardCharsets.UTF_8));
        junk.writeBytes(new byte[] {0, (byte) 0xff, (byte) 0xfe, (byte) 0x80, 0x1b, '\n'});
        junk.writeBytes("GPU 1: NVIDIA A100-SXM4-40GB\n".getBytes(StandardCharsets.UTF_8));
        bin.printingBytes("nvidia-smi", ARGS, junk.toByteArray(), 0);
        HardwareProbe probe = probe();
        assertEquals(0, probe.gpuCount());
        assertEquals(
                ProbeResult.failed("No GPUs detected (normal if no gpus installed): " + command()
                        + " printed output that is not UTF-8 text, output \"GPU 0: NVIDIA A100-SXM4-40GB\\n\\x00"
                        + "\uFFFD\uFFFD\uFFFD\\x1b\\nGPU 1: NVIDIA A100-SXM4-40GB\"; counting 0"),
                probe.gpuProbe());
    }

    @Test
    void hugeOutputIsNoGpusWithAWarning() {
        // 50,000 GPU lines (2.15 MB): more than a listing can take, so nothing is trusted
        String line = "GPU 0: NVIDIA A100-SXM4-40GB (UUID: GPU-x)";
        bin.script("nvidia-smi", ARGS, "yes '" + line + "' | head -n 50000");
        HardwareProbe probe = probe();
        assertEquals(0, probe.gpuCount());
        ProbeResult result = probe.gpuProbe();
        assertEquals(Level.WARN, result.level());
        assertEquals(
                "No GPUs detected (normal if no gpus installed): " + command() + " printed "
                        + (line.length() + 1) * 50000 + " bytes, more "
                        + "than the 1048576 bytes a listing can take; output ignored, counting 0",
                result.message());
    }

    @Test
    void outputExactlyAtTheCapIsRead() {
        // 1 MiB exactly: 16384 lines of 64 bytes
        String line = "GPU 0: " + "x".repeat(56) + "\n";
        bin.script("nvidia-smi", ARGS, "yes '" + line.strip() + "' | head -n 16384");
        assertEquals(64, line.length());
        assertEquals(16384, probe().gpuCount());
    }

    @Test
    void aHangingNvidiaSmiIsKilledAndCountsZero() {
        bin.script("nvidia-smi", ARGS, "echo 'GPU 0: x'\nsleep 1000 &\necho $! > \"$FAKE_DIR/sleep.pid\"\nwait");
        HardwareProbe probe = new HardwareProbe(bin.searchPath(), SHORT);

        Timed timed = Timed.of(probe::gpuCount);

        assertEquals(0, timed.count());
        assertTrue(timed.within(BOUND), "took " + timed.took());
        assertFalse(timed.within(SHORT), "took " + timed.took());
        assertEquals(
                ProbeResult.failed("No GPUs detected (normal if no gpus installed): " + command()
                        + " did not finish in time (it was still running after 1500 ms; killed it and 1 descendant "
                        + "process); counting 0"),
                probe.gpuProbe());
        long sleep = bin.pid("sleep.pid");
        try {
            assertFalse(stillRunningAfterWaiting(sleep), "the sleep child was not killed");
        } finally {
            FakeCommands.killSleep(sleep);
        }
    }

    @Test
    void aBackgroundProcessHoldingTheOutputOpenIsBounded() {
        // nvidia-smi itself exits, but leaves a daemon that holds stdout: the output never ends
        bin.script("nvidia-smi", ARGS, "echo 'GPU 0: x'\n(sleep 1000 & echo $! > \"$FAKE_DIR/sleep.pid\")\nexit 0");
        // 3 s rather than SHORT: the fake must have exited before the limit for this message, even on a loaded machine
        HardwareProbe probe = new HardwareProbe(bin.searchPath(), Duration.ofSeconds(3));

        Timed timed = Timed.of(probe::gpuCount);

        long sleep = bin.pid("sleep.pid");
        try {
            assertEquals(0, timed.count());
            assertTrue(timed.within(BOUND.plusSeconds(3)), "took " + timed.took());
            assertEquals(
                    ProbeResult.failed("No GPUs detected (normal if no gpus installed): " + command()
                            + " did not finish in time (it exited with code 0 but its output was still open after "
                            + "3000 ms (a background process kept it)); counting 0"),
                    probe.gpuProbe());
        } finally {
            FakeCommands.killSleep(sleep);
        }
    }

    @Test
    void endlessOutputIsKilledAndCountsZero() {
        bin.script("nvidia-smi", ARGS, "exec yes 'GPU 0: NVIDIA A100-SXM4-40GB'");
        HardwareProbe probe = new HardwareProbe(bin.searchPath(), SHORT);

        Timed timed = Timed.of(probe::gpuCount);

        assertEquals(0, timed.count());
        assertTrue(timed.within(BOUND), "took " + timed.took());
        assertEquals(Level.WARN, probe.gpuProbe().level());
        assertTrue(
                probe.gpuProbe().message().contains("it was still running after 1500 ms; killed it"),
                probe.gpuProbe().message());
    }

    /** Whether {@code pid} still runs after waiting up to 5 s for it to die. */
    static boolean stillRunningAfterWaiting(long pid) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (FakeCommands.isRunning(pid) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return FakeCommands.isRunning(pid);
    }
}
