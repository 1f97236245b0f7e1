package io.smcontainers.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcontainers.launcher.testing.Archives;
import io.smcontainers.launcher.testing.JobFolder;
import io.smcontainers.launcher.testing.Toolkit;
import io.smcontainers.launcher.testing.Toolkit.Run;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Faults a careless job can bring to {@code bin/train}: deep JSON, huge values, signals, concurrent runs, odd sources. */
class TrainFaultsIT {
    @TempDir
    Path tmp;

    private Run train(JobFolder job) throws Exception {
        return Toolkit.run(
                tmp.resolve("logs"), Map.of("SAGEMAKER_BASE_DIR", job.base().toString()), "train");
    }

    @Test
    void deeplyNestedHyperparameterIsAnErrorNamingTheKey() throws Exception {
        for (int depth : new int[] {900, 10_000}) {
            Path root = Files.createDirectories(tmp.resolve("d" + depth));
            JobFolder job = new JobFolder(root)
                    .program("train.py")
                    .sourceFile("train.py", "print(1)\n")
                    .hyperparameter("deep", "[".repeat(depth) + "]".repeat(depth))
                    .write();
            Run run = Toolkit.run(
                    root.resolve("logs"),
                    Map.of("SAGEMAKER_BASE_DIR", job.base().toString()),
                    "train");
            assertEquals(1, run.exitCode(), run.stderr());
            assertFalse(run.stderr().contains("StackOverflowError"), run.stderr());
            assertTrue(
                    job.failure()
                            .startsWith(job.base().resolve("input/config/hyperparameters.json")
                                    + ": key 'deep': the value is JSON nested deeper than 200 levels"),
                    job.failure());
            assertTrue(run.stderr().lines().count() < 100, "a short log, no thousand-line trace");
        }
    }

    @Test
    void hyperparameterNestedWithinTheLimitRuns() throws Exception {
        String nested = "{\"a\": ".repeat(190) + "1" + "}".repeat(190);
        JobFolder job = new JobFolder(tmp)
                .program("train.py")
                .hyperparameter("nested", nested)
                .hyperparameter("api_token", "\"s3cr3t-value\"")
                .sourceFile(
                        "train.py",
                        "import json, os\nv = json.loads(os.environ['SM_HP_NESTED'])\nd = 0\n"
                                + "while isinstance(v, dict):\n    v = v['a']; d += 1\nopen(os.environ['SM_MODEL_DIR'] + '/depth', 'w').write(str(d))\n")
                .write();
        Run run = train(job);
        assertEquals(0, run.exitCode(), run.stderr());
        assertEquals("190", Files.readString(job.base().resolve("model/depth")));
        assertFalse(run.stderr().contains("s3cr3t-value"), "secret masked in the dump");
    }

    @Test
    void deeplyNestedConfigFileEndsWithAFailureFileNamingFileAndKey() throws Exception {
        JobFolder job = new JobFolder(tmp)
                .program("train.py")
                .sourceFile("train.py", "print(1)\n")
                .write();
        Path config = job.base().resolve("input/config/inputdataconfig.json");
        Files.writeString(config, "{\"training\": " + "{\"k\": ".repeat(5000) + "1" + "}".repeat(5000) + "}");
        Run run = train(job);
        assertEquals(1, run.exitCode(), run.stderr());
        assertFalse(run.stderr().contains("StackOverflowError"), run.stderr());
        assertTrue(
                job.failure()
                        .startsWith(
                                config
                                        + ": not valid JSON: Nested deeper than 200 levels under key 'training' > 'k' > 'k' > ..."),
                job.failure());
    }

    @Test
    void megabyteHyperparameterIsE2bigWithExitCode7AndASmallFailureFile() throws Exception {
        JobFolder job = new JobFolder(tmp)
                .program("train.py")
                .sourceFile("train.py", "print(1)\n")
                .hyperparameter("big", "\"" + "x".repeat(1 << 20) + "\"")
                .write();
        Run run = train(job);
        assertEquals(7, run.exitCode(), run.stderr());
        String failure = job.failure();
        assertTrue(failure.length() < 1024, "failure file of " + failure.length() + " characters");
        assertTrue(failure.contains("too big for the kernel (E2BIG, errno 7)"), failure);
        assertTrue(failure.contains("131072 bytes per argument or variable (MAX_ARG_STRLEN)"), failure);
        assertTrue(failure.contains("Largest: variable SM_TRAINING_ENV: "), failure);
        assertTrue(
                failure.contains(
                        "Largest hyperparameter: variable SM_HP_BIG: 1048587 bytes (xxxxxxxxxxxxxxxxxxxxxxxx...[+1048552 characters])"),
                failure);
        assertTrue(run.stderr().length() < 200_000, "log of " + run.stderr().length() + " characters");
    }

    @Test
    void hugeHyperparametersFileStaysBoundedInMemoryLogAndFailureFile() throws Exception {
        JobFolder job = new JobFolder(tmp)
                .program("train.py")
                .sourceFile("train.py", "print(1)\n")
                .write();
        Path file = job.base().resolve("input/config/hyperparameters.json");
        try (Writer out = Files.newBufferedWriter(file)) {
            out.write("{\"sagemaker_program\": \"\\\"train.py\\\"\", \"sagemaker_submit_directory\": \"\\\""
                    + job.source() + "\\\"\", \"huge\": \"\\\"");
            String chunk = "0123456789".repeat(100);
            for (int i = 0; i < 50_000; i++) {
                out.write(chunk);
            }
            out.write("\\\"\"}");
        }
        long[] peakKb = {0};
        Process train = Toolkit.start(
                tmp.resolve("logs"), Map.of("SAGEMAKER_BASE_DIR", job.base().toString()), "train");
        while (!train.waitFor(50, TimeUnit.MILLISECONDS)) {
            peakKb[0] = Math.max(peakKb[0], rssKb(train.pid()));
        }
        Run run = Toolkit.finish(train, tmp.resolve("logs"), 180);
        String logEnd = run.stderr().substring(Math.max(0, run.stderr().length() - 4000));
        assertEquals(7, run.exitCode(), logEnd);
        String failure = job.failure() == null
                ? ""
                : job.failure().substring(0, Math.min(4000, job.failure().length()));
        assertTrue(failure.length() > 0 && job.failure().length() < 1024, failure);
        assertTrue(failure.contains("Largest hyperparameter: variable SM_HP_HUGE: 50000"), failure);
        assertTrue(run.stderr().length() < 200_000, "log of " + run.stderr().length() + " characters");
        assertTrue(peakKb[0] < 1_500_000, "launcher peak RSS " + peakKb[0] + " KiB");
    }

    private static long rssKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException gone) {
            // exited
        }
        return 0;
    }

    @Test
    void sigintIsReportedAsSigintWithExitCode130() throws Exception {
        Path started = tmp.resolve("started");
        JobFolder job = new JobFolder(tmp)
                .program("train.py")
                .sourceFile(
                        "train.py",
                        String.join(
                                "\n",
                                "import time",
                                "open('" + started + "', 'w').write('yes')",
                                "while True: time.sleep(0.1)",
                                ""))
                .write();
        Process train = Toolkit.start(
                tmp.resolve("logs"), Map.of("SAGEMAKER_BASE_DIR", job.base().toString()), "train");
        awaitFile(started, train);
        signal(train, "INT");
        Run run = Toolkit.finish(train, tmp.resolve("logs"), 60);
        assertEquals(130, run.exitCode(), run.stderr());
        assertTrue(
                job.failure().contains("ExtraInfo \"stopped: the training job was asked to stop (SIGINT)\""),
                job.failure());
        assertFalse(job.failure().contains("SIGTERM"), job.failure());
    }

    @Test
    void staleExtractionFoldersOfAKilledRunAreRemoved() throws Exception {
        Path archive = tmp.resolve("sourcedir.tar.gz");
        try (TarArchiveOutputStream tar = Archives.tarGz(archive)) {
            Archives.file(tar, "train.py", "print(1)\n");
        }
        JobFolder job = new JobFolder(tmp)
                .program("train.py")
                .submitDirectory(archive.toString())
                .write();
        Path stale = Files.createDirectories(job.base().resolve(".code.extract-1234567/sub"));
        Files.writeString(stale.resolve("half.py"), "x");
        Files.writeString(job.base().resolve(".sourcedir99.tar.gz"), "half a download");
        Run run = train(job);
        assertEquals(0, run.exitCode(), run.stderr());
        assertFalse(Files.exists(job.base().resolve(".code.extract-1234567")), "stale extraction folder kept");
        assertFalse(Files.exists(job.base().resolve(".sourcedir99.tar.gz")), "stale download kept");
    }

    @Test
    void secondTrainOnTheSameJobFolderFailsFastWithoutTouchingOutput() throws Exception {
        Path started = tmp.resolve("started");
        Path release = tmp.resolve("release");
        JobFolder job = new JobFolder(tmp)
                .program("train.py")
                .sourceFile(
                        "train.py",
                        String.join(
                                "\n",
                                "import os, time",
                                "open('" + started + "', 'w').write('yes')",
                                "while not os.path.exists('" + release + "'): time.sleep(0.05)",
                                ""))
                .write();
        Process first = Toolkit.start(
                tmp.resolve("logs1"), Map.of("SAGEMAKER_BASE_DIR", job.base().toString()), "train");
        awaitFile(started, first);
        long start = System.nanoTime();
        Run second = Toolkit.run(
                tmp.resolve("logs2"), Map.of("SAGEMAKER_BASE_DIR", job.base().toString()), "train");
        assertEquals(16, second.exitCode(), second.stderr());
        assertTrue(
                second.stderr().contains("Another train is running on the job folder " + job.base()), second.stderr());
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10), "did not fail fast");
        assertNull(job.failure(), "the second run wrote a failure file");
        assertFalse(job.succeeded());
        Files.writeString(release, "go");
        Run run = Toolkit.finish(first, tmp.resolve("logs1"), 60);
        assertEquals(0, run.exitCode(), run.stderr());
        assertTrue(job.succeeded());
        assertNull(job.failure());
    }

    @Test
    void namedPipeSourceIsReadAsAStream() throws Exception {
        Path fifo = tmp.resolve("code.fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        Path archive = tmp.resolve("sourcedir.tar.gz");
        try (TarArchiveOutputStream tar = Archives.tarGz(archive)) {
            Archives.file(tar, "train.py", "import os\nopen(os.environ['SM_MODEL_DIR'] + '/ran', 'w').write('yes')\n");
        }
        Thread writer = new Thread(() -> {
            try (OutputStream out = Files.newOutputStream(fifo)) {
                Files.copy(archive, out);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        writer.start();
        JobFolder job = new JobFolder(tmp)
                .program("train.py")
                .submitDirectory(fifo.toUri().toString())
                .write();
        Run run = train(job);
        writer.join(10_000);
        assertEquals(0, run.exitCode(), run.stderr());
        assertEquals("yes", Files.readString(job.base().resolve("model/ran")));
    }

    @Test
    void missingModelAndOutputDataFoldersAreCreated() throws Exception {
        JobFolder job = new JobFolder(tmp)
                .program("train.py")
                .sourceFile(
                        "train.py",
                        String.join(
                                "\n",
                                "import os",
                                "open(os.path.join(os.environ['SM_MODEL_DIR'], 'm'), 'w').write('1')",
                                "open(os.path.join(os.environ['SM_OUTPUT_DATA_DIR'], 'o'), 'w').write('1')",
                                ""))
                .write();
        Files.delete(job.base().resolve("model"));
        Files.delete(job.base().resolve("output/data"));
        Files.delete(job.base().resolve("output"));
        Run run = train(job);
        assertEquals(0, run.exitCode(), run.stderr());
        assertTrue(Files.exists(job.base().resolve("model/m")));
        assertTrue(Files.exists(job.base().resolve("output/data/o")));
    }

    @Test
    void emptyModelParallelParametersAreFalsyAsInTheReference() throws Exception {
        JobFolder job = new JobFolder(tmp)
                .program("train.py")
                .sourceFile(
                        "train.py",
                        String.join(
                                "\n",
                                "import json, os",
                                "env = json.loads(os.environ['SM_TRAINING_ENV'])",
                                "open(os.environ['SM_MODEL_DIR'] + '/mp', 'w').write(json.dumps(env['is_modelparallel_enabled']))",
                                ""))
                .write();
        Run run = Toolkit.run(
                tmp.resolve("logs"),
                Map.of("SAGEMAKER_BASE_DIR", job.base().toString(), "SM_HP_MP_PARAMETERS", ""),
                "train");
        assertEquals(0, run.exitCode(), run.stderr());
        assertEquals("\"\"", Files.readString(job.base().resolve("model/mp")));
    }

    static void signal(Process process, String signal) throws Exception {
        assertEquals(
                0,
                new ProcessBuilder("kill", "-s", signal, Long.toString(process.pid()))
                        .start()
                        .waitFor());
    }

    static void awaitFile(Path file, Process train) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.exists(file)) {
            if (!train.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("the script did not start");
            }
            Thread.sleep(20);
        }
    }
}
