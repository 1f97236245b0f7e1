package io.smcontainers.container;

import static io.smcontainers.container.testing.Container.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcontainers.container.testing.Container;
import io.smcontainers.container.testing.Jobs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code docker run IMAGE train} and {@code docker stop}, with the distribution tar.gz as Maven resolves it, in Linux
 * namespaces (see {@link Container}): the launcher is PID 1, the job is at /opt/ml, the hostname is algo-1.
 */
class ContainerTrainIT {
    private static final Map<String, String> SCRIPT_MODE = Map.of("SAGEMAKER_PROGRAM", "train.sh");

    @TempDir
    Path temp;

    private Container container;

    @BeforeEach
    void create() throws Exception {
        container = Container.create(temp);
    }

    @AfterEach
    void remove() throws Exception {
        container.close();
    }

    @Test
    void trainsAsPid1WithTheJobAtOptMl() throws Exception {
        Path job = Jobs.training(
                temp.resolve("job"),
                String.join(
                        "\n",
                        "tr '\\0' ' ' < /proc/1/cmdline > \"$SM_MODEL_DIR/pid1\"",
                        "hostname > \"$SM_MODEL_DIR/hostname\"",
                        "echo \"$SM_MODEL_DIR $SM_CURRENT_HOST $SM_CHANNEL_TRAINING\" > \"$SM_MODEL_DIR/env\"",
                        "echo \"args $*\"",
                        ""));
        container.run(job, SCRIPT_MODE, "train");
        assertEquals(0, container.exitCode(Duration.ofSeconds(120)), container.stderr());
        assertTrue(
                Files.readString(job.resolve("model/pid1")).contains("io.smcontainers.launcher.Main train"),
                Files.readString(job.resolve("model/pid1")));
        assertEquals("algo-1\n", Files.readString(job.resolve("model/hostname")));
        assertEquals("/opt/ml/model algo-1 /opt/ml/input/data/training\n", Files.readString(job.resolve("model/env")));
        assertTrue(Files.exists(job.resolve("output/success")));
        assertFalse(Files.exists(job.resolve("output/failure")));
        assertTrue(container.stdout().contains("args --epochs 2"), container.stdout());
    }

    @Test
    void aFailingScriptFailsTheContainerWithTheFailureFile() throws Exception {
        Path job = Jobs.training(temp.resolve("job"), "echo 'ValueError: the learning rate is negative' >&2\nexit 3\n");
        container.run(job, SCRIPT_MODE, "train");
        int exit = container.exitCode(Duration.ofSeconds(120));
        assertEquals(1, exit, container.stderr());
        String failure = Files.readString(job.resolve("output/failure"));
        assertTrue(failure.startsWith("ExecuteUserScriptError:\nExitCode 3\n"), failure);
        assertTrue(failure.contains("ValueError: the learning rate is negative"), failure);
        assertFalse(Files.exists(job.resolve("output/success")));
    }

    @Test
    void dockerStopForwardsSigtermAndTheLauncherExitsWithinTheGrace() throws Exception {
        Path job = Jobs.training(
                temp.resolve("job"),
                String.join(
                        "\n",
                        "trap 'echo TERM > \"$SM_MODEL_DIR/term\"; exit 143' TERM",
                        "echo started > \"$SM_MODEL_DIR/started\"",
                        "while :; do sleep 0.1; done",
                        ""));
        container.run(job, SCRIPT_MODE, "train");
        waitFor(Duration.ofSeconds(60), () -> Files.exists(job.resolve("model/started")), "the script to start");
        assertTrue(
                container.stop(Duration.ofSeconds(15)),
                "PID 1 did not exit within docker stop's grace:\n" + container.stderr());
        assertEquals(143, container.exitCode(Duration.ofSeconds(5)), container.stderr());
        assertEquals("TERM\n", Files.readString(job.resolve("model/term")));
        assertTrue(
                Files.readString(job.resolve("output/failure")).contains("SIGTERM"),
                Files.readString(job.resolve("output/failure")));
    }

    @Test
    void dockerStopKillsEverythingInTheContainerWhenTheScriptIgnoresSigterm() throws Exception {
        Path job = Jobs.training(
                temp.resolve("job"),
                String.join(
                        "\n",
                        "trap '' TERM",
                        "echo started > \"$SM_MODEL_DIR/started\"",
                        "while :; do sleep 0.1; done",
                        ""));
        // the launcher's own grace (60 s) outlasts docker stop's (2 s): docker's SIGKILL to PID 1 ends it
        container.run(job, Map.of("SAGEMAKER_PROGRAM", "train.sh", "SMC_STOP_GRACE_SECONDS", "60"), "train");
        waitFor(Duration.ofSeconds(60), () -> Files.exists(job.resolve("model/started")), "the script to start");
        String namespace = container.pidNamespace();
        assertTrue(
                Container.processesIn(namespace).size() >= 2,
                Container.processesIn(namespace).toString());
        long stopped = System.nanoTime();
        assertFalse(container.stop(Duration.ofSeconds(2)), "PID 1 exited before the SIGKILL:\n" + container.stderr());
        assertEquals(137, container.exitCode(Duration.ofSeconds(10)));
        assertTrue(Duration.ofNanos(System.nanoTime() - stopped).toMillis() >= 2000);
        // the kernel kills every process of a PID namespace whose init dies
        waitFor(
                Duration.ofSeconds(10),
                () -> {
                    try {
                        return Container.processesIn(namespace).isEmpty();
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                },
                "the container's processes to be gone");
    }

    @Test
    void pid1ReapsTheOrphanedDaemonsOfTheScript() throws Exception {
        Path job = Jobs.training(
                temp.resolve("job"),
                String.join(
                        "\n",
                        "# two daemons: the middle shell exits at once, so each is re-parented to PID 1, and exits a little later",
                        "( sh -c 'sleep 0.3; echo done > \"$SM_MODEL_DIR/orphan-1\"' & )",
                        "( sh -c 'sleep 0.5; echo done > \"$SM_MODEL_DIR/orphan-2\"' & )",
                        "while [ ! -f \"$SM_MODEL_DIR/release\" ]; do sleep 0.1; done",
                        ""));
        container.run(job, SCRIPT_MODE, "train");
        waitFor(
                Duration.ofSeconds(60),
                () -> Files.exists(job.resolve("model/orphan-1")) && Files.exists(job.resolve("model/orphan-2")),
                "both daemons to finish");
        String namespace = container.pidNamespace();
        // an exited orphan is a zombie until PID 1 waits for it; tini-like reaping takes at most two scans
        waitFor(Duration.ofSeconds(10), () -> zombies(namespace).isEmpty(), "no zombie in the container");
        assertTrue(container.isRunning(), "the job must still run: " + container.stderr());
        List<String> processes = Container.processesIn(namespace);
        assertTrue(processes.stream().noneMatch(p -> p.endsWith(" Z")), processes.toString());
        Files.writeString(job.resolve("model/release"), "go");
        assertEquals(0, container.exitCode(Duration.ofSeconds(60)), container.stderr());
    }

    private static List<String> zombies(String namespace) {
        try {
            return Container.processesIn(namespace).stream()
                    .filter(p -> p.endsWith(" Z"))
                    .toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
