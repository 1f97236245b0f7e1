package io.smcontainers.intermediate.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Per-thread priority on Linux: the sync's threads are lowered, their creator and its other threads are not. */
class BackgroundPriorityTest {
    @Test
    void aBackgroundThreadRunsNicerAndItsChildrenInheritIt() throws Exception {
        assumeTrue(Files.exists(Path.of("/proc/thread-self")), "Linux /proc needed");
        int caller = BackgroundPriority.currentThreadId();
        int before = BackgroundPriority.niceOf(caller);
        CompletableFuture<int[]> seen = new CompletableFuture<>();
        Thread t = BackgroundPriority.daemon(
                () -> {
                    try {
                        int own = BackgroundPriority.niceOf(BackgroundPriority.currentThreadId());
                        CompletableFuture<Integer> child = new CompletableFuture<>();
                        Thread plain = new Thread(() -> {
                            try {
                                child.complete(BackgroundPriority.niceOf(BackgroundPriority.currentThreadId()));
                            } catch (Exception e) {
                                child.completeExceptionally(e);
                            }
                        });
                        plain.start();
                        seen.complete(new int[] {own, child.get(60, TimeUnit.SECONDS)});
                    } catch (Exception e) {
                        seen.completeExceptionally(e);
                    }
                },
                "test-background");
        assertTrue(t.isDaemon());
        t.start();
        int[] nice = seen.get(60, TimeUnit.SECONDS);
        assertEquals(Math.max(before, BackgroundPriority.NICE), nice[0], "the background thread");
        assertEquals(nice[0], nice[1], "a thread it starts");
        assertEquals(before, BackgroundPriority.niceOf(caller), "the caller keeps its priority");
    }

    @Test
    void theJitCompilerThreadsAreLoweredAndNoOtherThread() throws Exception {
        assumeTrue(Files.exists(Path.of("/proc/thread-self")), "Linux /proc needed");
        int caller = BackgroundPriority.niceOf(BackgroundPriority.currentThreadId());
        BackgroundPriority.lowerCompilerThreads();
        List<String> compilers = new ArrayList<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                try {
                    String name = Files.readString(task.resolve("comm")).strip();
                    if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
                        compilers.add(name + " nice "
                                + BackgroundPriority.niceOf(
                                        Integer.parseInt(task.getFileName().toString())));
                    }
                } catch (NoSuchFileException ended) {
                    // a thread that ended while we listed
                }
            }
        }
        assertFalse(compilers.isEmpty(), "HotSpot names its compiler threads C1/C2 CompilerThread");
        assertTrue(
                compilers.stream().allMatch(t -> t.endsWith("nice " + Math.max(caller, BackgroundPriority.NICE))),
                compilers.toString());
        assertEquals(caller, BackgroundPriority.niceOf(BackgroundPriority.currentThreadId()));
    }

    @Test
    void threadIdsComeFromProc() {
        assumeTrue(Files.exists(Path.of("/proc/thread-self")), "Linux /proc needed");
        assertTrue(BackgroundPriority.currentThreadId() > 0);
    }
}
