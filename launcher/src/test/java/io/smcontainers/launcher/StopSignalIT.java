package io.smcontainers.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcontainers.launcher.testing.JobFolder;
import io.smcontainers.launcher.testing.Toolkit;
import io.smcontainers.launcher.testing.Toolkit.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM to the launcher (stop job, spot interruption) reaches the whole user process tree; nothing is left behind. */
class StopSignalIT {
    @TempDir
    Path tmp;

    @Test
    void sigtermIsForwardedToTheProcessTreeAndTheRunFailsWith143() throws Exception {
        Path started = tmp.resolve("started");
        Path got = tmp.resolve("got-term");
        Path childPid = tmp.resolve("child.pid");
        JobFolder job = new JobFolder(tmp)
                .program("train.py")
                .sourceFile(
                        "train.py",
                        String.join(
                                "\n",
                                "import signal, subprocess, sys, time",
                                "child = subprocess.Popen(['sleep', '300'])",
                                "open('" + childPid + "', 'w').write(str(child.pid))",
                                "def stop(signum, frame):",
                                "    open('" + got + "', 'w').write('TERM')",
                                "    sys.exit(0)",
                                "signal.signal(signal.SIGTERM, stop)",
                                "open('" + started + "', 'w').write('yes')",
                                "while True: time.sleep(0.1)",
                                ""))
                .write();
        Process train = Toolkit.start(
                tmp.resolve("logs"), Map.of("SAGEMAKER_BASE_DIR", job.base().toString()), "train");
        awaitFile(started, train);
        long sent = System.nanoTime();
        train.toHandle().destroy(); // SIGTERM to the JVM (bin/train execs it)
        Run run = Toolkit.finish(train, tmp.resolve("logs"), 60);
        assertEquals(143, run.exitCode(), run.stderr());
        assertEquals("TERM", Files.readString(got), "the script's own handler ran");
        long sleeper = Long.parseLong(Files.readString(childPid).strip());
        assertFalse(JobFolder.running(sleeper), "grandchild still alive");
        assertTrue((System.nanoTime() - sent) / 1_000_000_000 < 15, "stopped without waiting for the grace period");
        assertTrue(
                job.failure().contains("ExtraInfo \"stopped: the training job was asked to stop (SIGTERM)\""),
                job.failure());
        assertFalse(job.succeeded());
    }

    @Test
    void processThatIgnoresSigtermIsKilledAfterTheGracePeriod() throws Exception {
        Path started = tmp.resolve("started");
        Path pid = tmp.resolve("pid");
        JobFolder job = new JobFolder(tmp)
                .program("stubborn.py")
                .sourceFile(
                        "stubborn.py",
                        String.join(
                                "\n",
                                "import os, signal, time",
                                "signal.signal(signal.SIGTERM, signal.SIG_IGN)",
                                "open('" + pid + "', 'w').write(str(os.getpid()))",
                                "open('" + started + "', 'w').write('yes')",
                                "while True: time.sleep(0.1)",
                                ""))
                .write();
        Process train = Toolkit.start(
                tmp.resolve("logs"),
                Map.of("SAGEMAKER_BASE_DIR", job.base().toString(), "SMC_STOP_GRACE_SECONDS", "1"),
                "train");
        awaitFile(started, train);
        train.toHandle().destroy();
        Run run = Toolkit.finish(train, tmp.resolve("logs"), 60);
        assertEquals(143, run.exitCode(), run.stderr());
        assertTrue(run.stderr().contains("did not stop within 1 s: sending SIGKILL"), run.stderr());
        long shell = Long.parseLong(Files.readString(pid).strip());
        assertFalse(JobFolder.running(shell));
        assertTrue(job.failure().contains("ExitCode 137"), job.failure());
    }

    /** Issue 9 item 8: the multi-host waits (here: for host names to resolve, backing off up to 30 s) end on SIGTERM. */
    @Test
    void sigtermEndsTheWaitForTheClustersHostNames() throws Exception {
        JobFolder job = new JobFolder(tmp)
                .program("train.py")
                .sourceFile("train.py", "print(1)\n")
                .resourceConfig("{\"current_host\": \"localhost\", \"hosts\": [\"localhost\", \"algo-9.invalid\"]}")
                .write();
        Path logs = tmp.resolve("logs");
        Process train = Toolkit.start(
                logs,
                Map.of("SAGEMAKER_BASE_DIR", job.base().toString(), "SMC_HOST_RESOLUTION_TIMEOUT_SECONDS", "600"),
                "train");
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!Files.readString(logs.resolve("stderr")).contains("Host algo-9.invalid does not resolve yet")) {
            assertTrue(train.isAlive() && System.nanoTime() < deadline, "train never waited for the host name");
            Thread.sleep(50);
        }
        long sent = System.nanoTime();
        train.toHandle().destroy();
        Run run = Toolkit.finish(train, logs, 30);
        long millis = (System.nanoTime() - sent) / 1_000_000;
        assertEquals(143, run.exitCode(), run.stderr());
        assertTrue(millis < 1000, "exited " + millis + " ms after SIGTERM");
        assertEquals(
                "Training stopped: the training job was asked to stop (SIGTERM) while waiting for host algo-9.invalid to resolve",
                job.failure());
    }

    private static void awaitFile(Path file, Process train) throws InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!Files.exists(file)) {
            if (!train.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("the script did not start");
            }
            Thread.sleep(50);
        }
    }
}
