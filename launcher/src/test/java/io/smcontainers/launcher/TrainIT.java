package io.smcontainers.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcontainers.launcher.testing.Archives;
import io.smcontainers.launcher.testing.JobFolder;
import io.smcontainers.launcher.testing.Toolkit;
import io.smcontainers.launcher.testing.Toolkit.Run;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bin/train} end to end, as SageMaker starts it: real job folders, real python3 and sh, real exit codes. */
class TrainIT {
    @TempDir
    Path tmp;

    private Run train(JobFolder job) throws Exception {
        return Toolkit.run(
                tmp.resolve("logs"), Map.of("SAGEMAKER_BASE_DIR", job.base().toString()), "train");
    }

    @Test
    void scriptGetsArgumentsEnvironmentAndEmptyStdinAndTheRunWritesSuccess() throws Exception {
        JobFolder job = new JobFolder(tmp)
                .program("train.py")
                .hyperparameter("epochs", "3")
                .hyperparameter("sagemaker_job_name", "\"job-1\"")
                .sourceFile(
                        "train.py",
                        String.join(
                                "\n",
                                "import json, os, sys",
                                "out = {'argv': sys.argv, 'stdin': sys.stdin.read(), 'cwd': os.getcwd(),",
                                "       'env': {k: os.environ.get(k) for k in ['SM_CURRENT_HOST', 'SM_HP_EPOCHS', 'PYTHONPATH',",
                                "               'SAGEMAKER_JOB_NAME', 'CURRENT_HOST', 'SM_CHANNEL_TRAINING', 'SM_MODEL_DIR']}}",
                                "open(os.path.join(os.environ['SM_MODEL_DIR'], 'seen.json'), 'w').write(json.dumps(out))",
                                "print('hello from stdout'); print('hello from stderr', file=sys.stderr)",
                                ""))
                .write();
        Run run = train(job);
        assertEquals(0, run.exitCode(), run.stderr());
        assertTrue(job.succeeded());
        assertNull(job.failure());
        String seen = Files.readString(job.base().resolve("model/seen.json"));
        Path code = job.base().resolve("code");
        assertTrue(seen.contains("\"argv\": [\"train.py\", \"--epochs\", \"3\"]"), seen);
        assertTrue(seen.contains("\"stdin\": \"\""), seen);
        assertTrue(seen.contains("\"cwd\": \"" + code + "\""), seen);
        assertTrue(seen.contains("\"SM_CURRENT_HOST\": \"algo-1\""), seen);
        assertTrue(seen.contains("\"SM_HP_EPOCHS\": \"3\""), seen);
        assertTrue(seen.contains("\"PYTHONPATH\": \"" + code), seen);
        assertTrue(seen.contains("\"SAGEMAKER_JOB_NAME\": \"job-1\""), seen);
        assertTrue(seen.contains("\"CURRENT_HOST\": \"algo-1\""), seen);
        assertTrue(
                seen.contains("\"SM_CHANNEL_TRAINING\": \"" + job.base().resolve("input/data/training") + "\""), seen);
        assertTrue(run.stdout().contains("hello from stdout\n"), run.stdout());
        assertTrue(run.stderr().contains("hello from stderr\n"), run.stderr());
        assertTrue(
                run.stderr()
                        .contains(
                                "Invoking script with the following command:\n\n/usr/bin/python3 train.py --epochs 3\n"),
                run.stderr());
        assertTrue(run.stderr().contains("Reporting training SUCCESS"), run.stderr());
    }

    @Test
    void crashingScriptFailsWithExitCode1AndTheErrorInTheFailureFile() throws Exception {
        JobFolder job = new JobFolder(tmp)
                .program("train.py")
                .sourceFile(
                        "train.py", "import sys\nprint('working', file=sys.stderr)\ndef f():\n    return 1 / 0\nf()\n")
                .write();
        Run run = train(job);
        assertEquals(1, run.exitCode(), run.stderr());
        assertFalse(job.succeeded());
        String failure = job.failure();
        assertTrue(
                failure.startsWith(
                        "ExecuteUserScriptError:\nExitCode 1\nErrorMessage \"Traceback (most recent call last):"),
                failure);
        assertTrue(
                failure.contains("ZeroDivisionError: division by zero\"\nCommand \"/usr/bin/python3 train.py\""),
                failure);
        assertFalse(failure.contains("working"), failure);
        assertTrue(run.stderr().contains("ZeroDivisionError: division by zero"), "stderr is streamed too");
        assertTrue(run.stderr().contains("Encountered exit_code 1"), run.stderr());
    }

    @Test
    void processKilledBySigkillSaysPossiblyOutOfMemory() throws Exception {
        JobFolder job = new JobFolder(tmp)
                .program("train.py")
                .sourceFile("train.py", "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n")
                .write();
        Run run = train(job);
        assertEquals(1, run.exitCode(), run.stderr());
        String failure = job.failure();
        assertTrue(failure.contains("ExitCode 137\n"), failure);
        assertTrue(failure.contains("ExtraInfo \"killed by SIGKILL, possibly out of memory\""), failure);
    }

    @Test
    void failureFileWrittenByTheScriptIsKept() throws Exception {
        JobFolder job = new JobFolder(tmp)
                .program("train.py")
                .sourceFile(
                        "train.py",
                        String.join(
                                "\n",
                                "import os, sys",
                                "os.makedirs('" + tmp.resolve("opt-ml/output") + "', exist_ok=True)",
                                "open('" + tmp.resolve("opt-ml/output/failure") + "', 'w').write('my own reason')",
                                "sys.exit(3)",
                                ""))
                .write();
        assertEquals(1, train(job).exitCode());
        assertEquals("my own reason", job.failure());
    }

    @Test
    void missingEntryPointIsNamedWithExitCode2() throws Exception {
        JobFolder job = new JobFolder(tmp)
                .program("nope.py")
                .sourceFile("train.py", "print(1)\n")
                .write();
        Run run = train(job);
        assertEquals(2, run.exitCode(), run.stderr());
        String failure = job.failure();
        assertTrue(failure.contains("The entry point nope.py"), failure);
        assertTrue(
                failure.contains(
                        "does not exist in the code directory " + job.base().resolve("code")),
                failure);
    }

    @Test
    void noEntryPointAndNoFrameworkFailsEarly() throws Exception {
        JobFolder job = new JobFolder(tmp).write();
        Run run = train(job);
        assertEquals(1, run.exitCode(), run.stderr());
        assertTrue(
                job.failure().startsWith("No entry point to run: set the environment variable SAGEMAKER_PROGRAM"),
                job.failure());
    }

    @Test
    void missingSubmitDirectoryIsNamedWithExitCode2() throws Exception {
        JobFolder job = new JobFolder(tmp)
                .program("train.py")
                .submitDirectory(tmp.resolve("gone").toString())
                .write();
        Run run = train(job);
        assertEquals(2, run.exitCode(), run.stderr());
        assertTrue(
                job.failure()
                        .contains("The submit directory " + tmp.resolve("gone")
                                + " (sagemaker_submit_directory) does not exist"),
                job.failure());
    }

    @Test
    void codeDirThatIsAFileIsAClearError() throws Exception {
        JobFolder job = new JobFolder(tmp)
                .program("train.py")
                .sourceFile("train.py", "print(1)\n")
                .write();
        Files.writeString(job.base().resolve("code"), "not a directory");
        Run run = train(job);
        assertEquals(1, run.exitCode(), run.stderr());
        assertTrue(
                job.failure().startsWith(job.base().resolve("code") + ": cannot create the code directory"),
                job.failure());
    }

    @Test
    void malformedTarballFailsAndLeavesNothingBehind() throws Exception {
        Path bad = tmp.resolve("sourcedir.tar.gz");
        byte[] garbage = new byte[2048];
        garbage[0] = 0x1f;
        garbage[1] = (byte) 0x8b;
        Files.write(bad, garbage);
        JobFolder job = new JobFolder(tmp)
                .program("train.py")
                .submitDirectory(bad.toString())
                .write();
        Run run = train(job);
        assertEquals(1, run.exitCode(), run.stderr());
        assertTrue(
                job.failure()
                        .startsWith(
                                "Cannot extract " + bad + " into " + job.base().resolve("code")),
                job.failure());
        Archives.assertNothingExtracted(job);
    }

    @Test
    void tarballEscapingTheCodeDirIsRefusedAndNothingIsExtracted() throws Exception {
        Path archive = tmp.resolve("evil.tar.gz");
        try (OutputStream file = Files.newOutputStream(archive);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(file))) {
            Archives.file(tar, "train.py", "print(1)\n");
            Archives.file(tar, "../../escaped.txt", "gotcha\n");
        }
        JobFolder job = new JobFolder(tmp)
                .program("train.py")
                .submitDirectory(archive.toString())
                .write();
        Run run = train(job);
        assertEquals(1, run.exitCode(), run.stderr());
        assertTrue(
                job.failure()
                        .startsWith("Refusing to extract " + archive
                                + ": entry '../../escaped.txt' leaves the code directory"),
                job.failure());
        assertFalse(Files.exists(tmp.resolve("escaped.txt")));
        assertFalse(Files.exists(job.base().resolve("escaped.txt")));
        Archives.assertNothingExtracted(job);
    }

    @Test
    void shellEntryPointGetsQuotedArguments() throws Exception {
        JobFolder job = new JobFolder(tmp)
                .program("run.sh")
                .hyperparameter("msg", "\"1 3\"")
                .sourceFile("run.sh", "#!/bin/sh\nfor a in \"$@\"; do echo \"[$a]\"; done > \"$SM_MODEL_DIR/args\"\n")
                .write();
        Run run = train(job);
        assertEquals(0, run.exitCode(), run.stderr());
        assertEquals("[--msg]\n[1 3]\n", Files.readString(job.base().resolve("model/args")));
        assertTrue(run.stderr().contains("/bin/sh -c ./run.sh --msg '1 3'\n"), run.stderr());
    }

    @Test
    void invalidRequirementsFailTheInstallWithPipsError() throws Exception {
        JobFolder job = new JobFolder(tmp)
                .program("train.py")
                .sourceFile("train.py", "print(1)\n")
                .sourceFile("requirements.txt", "this is not a requirement!!\n")
                .write();
        // Debian's python3 refuses system-wide installs (PEP 668); SageMaker images do not
        Run run = Toolkit.run(
                tmp.resolve("logs"),
                Map.of("SAGEMAKER_BASE_DIR", job.base().toString(), "PIP_BREAK_SYSTEM_PACKAGES", "1"),
                "train");
        assertEquals(1, run.exitCode(), run.stderr());
        String failure = job.failure();
        assertTrue(failure.startsWith("InstallRequirementsError:\nExitCode "), failure);
        assertTrue(failure.contains("Invalid requirement"), failure);
        assertTrue(failure.contains("Command \"/usr/bin/python3 -m pip install -r requirements.txt\""), failure);
    }

    @Test
    void megabytesOfOutputWithoutTrailingNewlineArriveComplete() throws Exception {
        JobFolder job = new JobFolder(tmp)
                .program("train.py")
                .sourceFile(
                        "train.py",
                        String.join(
                                "\n",
                                "import sys",
                                "for i in range(200000):",
                                "    sys.stdout.write('out line %06d ..............................................\\n' % i)",
                                "    sys.stderr.write('err line %06d ..............................................\\n' % i)",
                                "sys.stdout.write('last stdout without newline'); sys.stderr.write('last stderr without newline')",
                                ""))
                .write();
        Run run = train(job);
        assertEquals(0, run.exitCode(), run.stderr());
        assertInOrder(run.stdout(), "out line ");
        assertInOrder(run.stderr(), "err line ");
        assertTrue(run.stdout().endsWith("last stdout without newline"), "stdout tail");
        assertTrue(run.stderr().contains("last stderr without newline"), "stderr tail");
    }

    @Test
    void processesLeftBehindByAScriptThatForksAndExitsAreStopped() throws Exception {
        Path pidFile = tmp.resolve("orphan.pid");
        JobFolder job = new JobFolder(tmp)
                .program("train.py")
                .sourceFile(
                        "train.py",
                        String.join(
                                "\n",
                                "import subprocess",
                                "p = subprocess.Popen(['sleep', '300'])",
                                "open('" + pidFile + "', 'w').write(str(p.pid))",
                                ""))
                .write();
        Run run = train(job);
        assertEquals(0, run.exitCode(), run.stderr());
        long orphan = Long.parseLong(Files.readString(pidFile).strip());
        assertFalse(JobFolder.running(orphan), "orphan " + orphan + " still alive");
        assertTrue(run.stderr().contains("left 1 process(es) running"), run.stderr());
    }

    @Test
    void mpiEnabledRunsRealMpirunWithTheReferenceCommand() throws Exception {
        JobFolder job = new JobFolder(tmp)
                .program("rank.sh")
                .resourceConfig(
                        "{\"current_host\": \"localhost\", \"hosts\": [\"localhost\"], \"network_interface_name\": \"lo\"}")
                .hyperparameter("sagemaker_mpi_enabled", "true")
                .hyperparameter("sagemaker_mpi_num_of_processes_per_host", "2")
                .hyperparameter("lr", "0.5")
                .sourceFile(
                        "rank.sh",
                        "#!/bin/sh\necho \"rank=$OMPI_COMM_WORLD_RANK host=$SM_CURRENT_HOST args=$*\" "
                                + "> \"$SM_MODEL_DIR/rank-$OMPI_COMM_WORLD_RANK\"\n")
                .write();
        Run run = train(job);
        assertEquals(0, run.exitCode(), run.stderr());
        assertEquals(
                "rank=0 host=localhost args=--lr 0.5\n",
                Files.readString(job.base().resolve("model/rank-0")));
        assertEquals(
                "rank=1 host=localhost args=--lr 0.5\n",
                Files.readString(job.base().resolve("model/rank-1")));
        assertTrue(
                run.stderr()
                        .contains(
                                "mpirun --host localhost:2 -np 2 --allow-run-as-root --display-map --tag-output "
                                        + "-mca btl_tcp_if_include lo -mca oob_tcp_if_include lo -mca plm_rsh_no_tree_spawn 1 -bind-to none -map-by slot "
                                        + "-mca pml ob1 -mca btl ^openib -mca orte_abort_on_non_zero_status 1 -mca btl_vader_single_copy_mechanism none "
                                        + "-x NCCL_MIN_NRINGS=4 -x NCCL_SOCKET_IFNAME=lo -x NCCL_DEBUG=INFO -x LD_LIBRARY_PATH -x PATH -x SM_HOSTS "),
                run.stderr());
        assertTrue(run.stderr().contains("-x PYTHONPATH /bin/sh -c ./rank.sh --lr 0.5\n"), run.stderr());
    }

    @Test
    void multiHostJobWithAnUnresolvableHostFailsWithExitCode254() throws Exception {
        JobFolder job = new JobFolder(tmp)
                .program("train.py")
                .sourceFile("train.py", "print(1)\n")
                .resourceConfig("{\"current_host\": \"localhost\", \"hosts\": [\"localhost\", \"algo-9.invalid\"]}")
                .write();
        Run run = Toolkit.run(
                tmp.resolve("logs"),
                Map.of("SAGEMAKER_BASE_DIR", job.base().toString(), "SMC_HOST_RESOLUTION_TIMEOUT_SECONDS", "1"),
                "train");
        assertEquals(254, run.exitCode(), run.stderr());
        assertTrue(
                job.failure().startsWith("Host algo-9.invalid of the training cluster did not resolve within 1 s"),
                job.failure());
        assertTrue(run.stderr().contains("Host algo-9.invalid does not resolve yet"), run.stderr());
    }

    private static void assertInOrder(String text, String prefix) {
        int from = 0;
        for (int i = 0; i < 200000; i++) {
            String line = String.format("%s%06d ..............................................\n", prefix, i);
            int at = text.indexOf(line, from);
            if (at < 0) {
                throw new AssertionError("line " + i + " missing or out of order: " + line.strip());
            }
            from = at + line.length();
        }
    }
}
