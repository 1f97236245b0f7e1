package io.smcontainers.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcontainers.launcher.testing.JobFolder;
import io.smcontainers.launcher.testing.Toolkit;
import io.smcontainers.launcher.testing.Toolkit.Run;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A stop signal while the user code is being fetched ends {@code train} at once: 143 (130 for SIGINT), a failure file. */
class StopDuringFetchIT {
    /** The bound from the signal to the exit; measured about 0.2-0.4 s here. */
    private static final long BOUND_MILLIS = 1500;

    @TempDir
    Path tmp;

    @Test
    void sigtermWhileReadingANamedPipeThatNoOneWrites() throws Exception {
        Path fifo = tmp.resolve("code.fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        JobFolder job = new JobFolder(tmp)
                .program("train.py")
                .submitDirectory("file://" + fifo)
                .write();
        Process train = Toolkit.start(
                tmp.resolve("logs"), Map.of("SAGEMAKER_BASE_DIR", job.base().toString()), "train");
        awaitLog(train, "is not a regular file (a named pipe?): reading it as a stream");
        long millis = stopAndTime(train, "TERM");
        Run run = Toolkit.finish(train, tmp.resolve("logs"), 30);
        assertEquals(143, run.exitCode(), run.stderr());
        assertTrue(millis < BOUND_MILLIS, "exited " + millis + " ms after SIGTERM");
        assertEquals(
                "Training stopped: the launcher received SIGTERM while reading the user code from file://" + fifo,
                job.failure());
        assertFalse(job.succeeded());
    }

    @Test
    void sigintWhileAnS3DownloadStalls() throws Exception {
        // an S3 endpoint that accepts the connection and never answers: the SDK would wait for its 60 s read timeout
        try (ServerSocket blackHole = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> accepted = new ArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(blackHole.accept());
                    }
                } catch (IOException closed) {
                    // test over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            JobFolder job = new JobFolder(tmp)
                    .program("train.py")
                    .submitDirectory("s3://bucket/code/sourcedir.tar.gz")
                    .write();
            Process train = Toolkit.start(
                    tmp.resolve("logs"),
                    Map.of(
                            "SAGEMAKER_BASE_DIR",
                            job.base().toString(),
                            "S3_ENDPOINT_URL",
                            "http://127.0.0.1:" + blackHole.getLocalPort(),
                            "AWS_ACCESS_KEY_ID",
                            "AKIDTEST",
                            "AWS_SECRET_ACCESS_KEY",
                            "secretTEST",
                            "AWS_REGION",
                            "us-west-2"),
                    "train");
            awaitLog(train, "Downloading s3://bucket/code/sourcedir.tar.gz");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (accepted.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertFalse(accepted.isEmpty(), "the download never connected");
            long millis = stopAndTime(train, "INT");
            Run run = Toolkit.finish(train, tmp.resolve("logs"), 30);
            assertEquals(130, run.exitCode(), run.stderr());
            assertTrue(millis < BOUND_MILLIS, "exited " + millis + " ms after SIGINT");
            assertEquals(
                    "Training stopped: the launcher received SIGINT while downloading the user code from "
                            + "s3://bucket/code/sourcedir.tar.gz",
                    job.failure());
            for (Socket socket : accepted) {
                socket.close();
            }
        }
    }

    private long stopAndTime(Process train, String signal) throws Exception {
        long sent = System.nanoTime();
        TrainFaultsIT.signal(train, signal);
        train.waitFor(30, TimeUnit.SECONDS);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
        System.out.println("SIG" + signal + " to exit: " + millis + " ms");
        return millis;
    }

    private void awaitLog(Process train, String text) throws Exception {
        Path stderr = tmp.resolve("logs/stderr");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(stderr)
                || !Files.readString(stderr, StandardCharsets.UTF_8).contains(text)) {
            if (!train.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError(
                        "never logged '" + text + "': " + (Files.exists(stderr) ? Files.readString(stderr) : ""));
            }
            Thread.sleep(20);
        }
    }
}
