package io.smcontainers.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcontainers.launcher.testing.JobFolder;
import io.smcontainers.launcher.testing.Toolkit;
import io.smcontainers.launcher.testing.Toolkit.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Children that move to process groups of their own ({@code setpgid}: {@code timeout}, {@code bash -m} job control)
 * are still stopped: when the script exits and on SIGTERM; the launcher does not wait on the pipes they held.
 */
class ProcessSessionIT {
    @TempDir
    Path tmp;

    private final List<Long> started = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        started.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }

    /** A script that starts `timeout 300 sleep 300` and `bash -m` with a background job, both in groups of their own. */
    private JobFolder job(String tail) throws Exception {
        return new JobFolder(tmp)
                .program("train.py")
                .sourceFile(
                        "train.py",
                        String.join(
                                "\n",
                                "import subprocess, time",
                                "t = subprocess.Popen(['timeout', '300', 'sleep', '300'])",
                                "b = subprocess.Popen(['bash', '-m', '-c', 'sleep 301 & echo $! > "
                                        + tmp.resolve("job.pid") + "; wait'])",
                                "open('" + tmp.resolve("timeout.pid") + "', 'w').write(str(t.pid))",
                                "open('" + tmp.resolve("bash.pid") + "', 'w').write(str(b.pid))",
                                "import os",
                                "while not os.path.exists('" + tmp.resolve("job.pid") + "') or not os.path.getsize('"
                                        + tmp.resolve("job.pid") + "'):",
                                "    time.sleep(0.02)",
                                "open('" + tmp.resolve("started") + "', 'w').write('yes')",
                                tail,
                                ""))
                .write();
    }

    private List<Long> pids() throws Exception {
        List<Long> pids = new ArrayList<>();
        for (String name : new String[] {"timeout.pid", "bash.pid", "job.pid"}) {
            pids.add(Long.parseLong(Files.readString(tmp.resolve(name)).strip()));
        }
        started.addAll(pids);
        return pids;
    }

    @Test
    void childrenInOtherProcessGroupsAreStoppedWhenTheScriptExits() throws Exception {
        JobFolder job = job("");
        long start = System.nanoTime();
        Run run = Toolkit.run(
                tmp.resolve("logs"), Map.of("SAGEMAKER_BASE_DIR", job.base().toString()), "train");
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        assertEquals(0, run.exitCode(), run.stderr());
        for (long pid : pids()) {
            assertFalse(JobFolder.running(pid), "process " + pid + " outside the script's group still alive");
        }
        assertTrue(run.stderr().contains("running in its session after it exited; they were stopped"), run.stderr());
        assertFalse(
                run.stderr().contains("still held open"), "waited on the pipes of processes it should have stopped");
        assertTrue(seconds < 30, "took " + seconds + " s");
    }

    @Test
    void sigtermReachesChildrenInOtherProcessGroups() throws Exception {
        JobFolder job = job("while True: time.sleep(0.1)");
        Process train = Toolkit.start(
                tmp.resolve("logs"), Map.of("SAGEMAKER_BASE_DIR", job.base().toString()), "train");
        TrainFaultsIT.awaitFile(tmp.resolve("started"), train);
        List<Long> pids = pids();
        // the script ignores nothing: SIGTERM ends it, and its children must get SIGTERM too
        train.toHandle().destroy();
        Run run = Toolkit.finish(train, tmp.resolve("logs"), 60);
        assertEquals(143, run.exitCode(), run.stderr());
        for (long pid : pids) {
            assertFalse(JobFolder.running(pid), "process " + pid + " outside the script's group still alive");
        }
        assertFalse(run.stderr().contains("did not stop within"), "needed SIGKILL: SIGTERM did not reach every group");
    }
}
