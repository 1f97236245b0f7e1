package io.smcontainers.launcher.python;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcontainers.env.core.ServingEnv;
import io.smcontainers.launcher.process.StopSignal;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link PythonServing#open} fetches {@code SAGEMAKER_SUBMIT_DIRECTORY} under the serve command's stop request. */
class PythonServingIT {
    @TempDir
    Path temp;

    @Test
    void aStopRequestEndsAFetchOfTheSubmitDirectoryThatNeverEnds() throws Exception {
        // a named pipe nobody writes: reading it blocks in open(2) until a writer comes, i.e. for ever
        Path fifo = temp.resolve("code.fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        Path model = Files.createDirectories(temp.resolve("ml/model"));
        Map<String, String> variables = Map.of(
                "SAGEMAKER_BASE_DIR",
                temp.resolve("ml").toString(),
                "SAGEMAKER_SUBMIT_DIRECTORY",
                "file://" + fifo,
                "SAGEMAKER_MODEL_SERVER_WORKERS",
                "1");
        ServingEnv env = ServingEnv.fromEnvironment(variables, 1);
        StopSignal stop = new StopSignal(Duration.ZERO);
        CompletableFuture<Object> opened = CompletableFuture.supplyAsync(() -> {
            try {
                return PythonServing.open(variables, env, model, Optional.empty(), true, stop);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        String during = "reading the user code from file://" + fifo;
        try {
            awaitThread("stoppable: " + during, opened);
            assertFalse(opened.isDone(), "still reading the pipe");
            stop.request("TERM");
            ExecutionException thrown = org.junit.jupiter.api.Assertions.assertThrows(
                    ExecutionException.class,
                    () -> opened.get(30, TimeUnit.SECONDS),
                    "the stop request ends the fetch");
            StopSignal.StoppedException stopped =
                    assertInstanceOf(StopSignal.StoppedException.class, thrown.getCause());
            assertEquals("SIGTERM", stopped.signalName());
            assertEquals(during, stopped.during());
        } finally {
            // a writer that closes at once: the abandoned reader thread gets EOF and ends
            try (OutputStream writer = Files.newOutputStream(fifo)) {
                writer.flush();
            }
            // and the test's folder is deleted only once that thread has stopped writing into it
            for (Thread thread : Thread.getAllStackTraces().keySet()) {
                if (thread.getName().equals("stoppable: " + during)) {
                    thread.join(TimeUnit.SECONDS.toMillis(60));
                    assertFalse(thread.isAlive(), "the abandoned fetch thread ended after EOF");
                }
            }
        }
    }

    private static void awaitThread(String name, CompletableFuture<?> opened) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (Thread.getAllStackTraces().keySet().stream()
                .noneMatch(thread -> thread.getName().equals(name))) {
            assertTrue(System.nanoTime() < deadline, "no thread '" + name + "' within 60 s");
            if (opened.isDone()) {
                opened.get(); // its failure, as the test's
                throw new AssertionError("open returned before reading the pipe");
            }
            Thread.sleep(10);
        }
    }
}
