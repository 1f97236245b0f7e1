package io.smcontainers.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcontainers.launcher.testing.EnvFramework;
import io.smcontainers.launcher.testing.JobFolder;
import io.smcontainers.launcher.testing.NamespaceHost;
import io.smcontainers.launcher.testing.Toolkit;
import io.smcontainers.launcher.testing.TwoHostCluster;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Real two-host training jobs on one machine ({@link TwoHostCluster}: algo-1 and algo-2 as namespaces joined by a veth
 * pair, each with its own /etc, /tmp and /opt/ml, real sshd): the built {@code bin/train} on both hosts, {@code mpirun}
 * with mpi4py and {@code torchrun} with a gloo all-reduce checked on every rank, a failing rank, stop signals while a
 * host waits, and a worker whose {@code orted} it never sees. Each test checks the exit codes and status files of both
 * hosts and that nothing is left running in either. Needs root (fails saying so otherwise).
 */
class MultiHostIT {
    private static final String RESOURCE_CONFIG = "{\"current_host\": \"%s\", \"hosts\": [\"algo-1\", \"algo-2\"], "
            + "\"network_interface_name\": \"eth0\"}";
    private static final String PYTHON = "/usr/bin/python3";
    /** Every rank: an all-reduce of rank + 1 over all ranks, checked, and a file naming its host in this host's output/data. */
    private static final String MPI_SCRIPT = String.join(
            "\n",
            "import argparse, socket, sys",
            "from mpi4py import MPI",
            "parser = argparse.ArgumentParser()",
            "parser.add_argument('--fail_rank', type=int, default=-1)",
            "args = parser.parse_args()",
            "comm = MPI.COMM_WORLD",
            "rank, size = comm.Get_rank(), comm.Get_size()",
            "total = comm.allreduce(rank + 1)",
            "open(f'/opt/ml/output/data/rank-{rank}', 'w').write(f'{socket.gethostname()} {total} {size}\\n')",
            "if total != size * (size + 1) // 2:",
            "    sys.exit(f'rank {rank}: all-reduce gave {total}')",
            "if rank == args.fail_rank:",
            "    sys.exit(f'rank {rank} fails as asked')",
            "");

    private static final String TORCH_SCRIPT = String.join(
            "\n",
            "import socket, sys",
            "import torch, torch.distributed as dist",
            "dist.init_process_group('gloo')",
            "rank, size = dist.get_rank(), dist.get_world_size()",
            "t = torch.tensor([float(rank + 1)])",
            "dist.all_reduce(t)",
            "total = int(t.item())",
            "open(f'/opt/ml/output/data/rank-{rank}', 'w').write(f'{socket.gethostname()} {total} {size}\\n')",
            "dist.destroy_process_group()",
            "if total != size * (size + 1) // 2:",
            "    sys.exit(f'rank {rank}: all-reduce gave {total}')",
            "");

    private TwoHostCluster cluster;

    @BeforeAll
    static void needsRoot() throws IOException {
        TwoHostCluster.requireRootAndTools();
        for (String module : List.of("mpi4py", "torch")) {
            assertTrue(
                    Files.exists(Path.of("/usr/lib/python3/dist-packages", module)),
                    "The multi-host tests need Debian's python3-" + module + " for " + PYTHON
                            + "; .ci/run installs it");
        }
    }

    @BeforeEach
    void startCluster() throws Exception {
        cluster = TwoHostCluster.start(Toolkit.DIST.getParent().resolve("multihost"));
    }

    @AfterEach
    void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void mpiTwoHostsTwoRanksEach() throws Exception {
        List<Train> trains = List.of(
                mpiJob(0, MPI_SCRIPT, Map.of()).start(),
                mpiJob(1, MPI_SCRIPT, Map.of()).start());
        Finished master = trains.get(0).finish(120);
        Finished worker = trains.get(1).finish(60);
        master.assertSucceeded();
        worker.assertSucceeded();
        assertTrue(master.log().contains("mpirun --host algo-1:2,algo-2:2 -np 4 "), master.log());
        assertTrue(worker.log().contains("MPI training job status file found. Exit gracefully"), worker.log());
        assertRanks(0, "algo-1 10 4");
        assertRanks(1, "algo-2 10 4");
        assertNothingLeft();
    }

    @Test
    void torchrunTwoHostsTwoRanksEachWithGloo() throws Exception {
        Path dist = distWithFramework();
        List<Train> trains = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            JobSpec job = job(i, "train.py", TORCH_SCRIPT)
                    .hyperparameter("use_torchrun", "true")
                    .hyperparameter("sagemaker_mpi_num_of_processes_per_host", "2");
            // Debian's torchrun 1.13 cannot parse "0" for these on Python 3.11; a mapping for a local rank that does
            // not
            // exist means no redirection and no tee
            trains.add(job.dist(dist)
                    .environment(Map.of(
                            "SAGEMAKER_TRAINING_MODULE",
                            EnvFramework.class.getName(),
                            "PET_REDIRECTS",
                            "9:1",
                            "PET_TEE",
                            "9:1"))
                    .start());
        }
        Finished first = trains.get(0).finish(180);
        Finished second = trains.get(1).finish(60);
        first.assertSucceeded();
        second.assertSucceeded();
        assertTrue(
                first.log()
                        .contains(
                                "torchrun --nnodes 2 --nproc_per_node 2 --master_addr algo-1 --master_port 7777 --node_rank 0 "),
                first.log());
        assertTrue(second.log().contains("--node_rank 1 "), second.log());
        assertRanks(0, "algo-1 10 4");
        assertRanks(1, "algo-2 10 4");
        assertNothingLeft();
    }

    @Test
    void aFailingRankOnTheWorkerFailsTheMasterAndTheWorkerEndsWithIt() throws Exception {
        List<Train> trains = List.of(
                mpiJob(0, MPI_SCRIPT, Map.of("fail_rank", "3")).start(),
                mpiJob(1, MPI_SCRIPT, Map.of("fail_rank", "3")).start());
        Finished master = trains.get(0).finish(120);
        Finished worker = trains.get(1).finish(60);
        assertEquals(1, master.exitCode(), master.log());
        assertTrue(master.failure().startsWith("ExecuteUserScriptError:"), master.failure());
        assertTrue(master.failure().contains("rank 3 fails as asked"), master.failure());
        assertFalse(master.succeeded());
        // as the reference (contract §9.3): the worker's part ended normally; the job's outcome is the master's
        worker.assertSucceeded();
        assertTrue(worker.log().contains("The MPI master algo-1 is unreachable: its run is over."), worker.log());
        assertNothingLeft();
    }

    @ParameterizedTest
    @CsvSource({"TERM, 143", "INT, 130"})
    void stopSignalEndsTheMastersWaitForWorkers(String signal, int exitCode) throws Exception {
        Train master = mpiJob(0, MPI_SCRIPT, Map.of()).start(); // no worker: algo-2 runs no sshd
        master.awaitLog("Cannot connect to host algo-2");
        Finished stopped = master.stop(signal);
        assertEquals(exitCode, stopped.exitCode(), stopped.log());
        assertTrue(stopped.millis() < 1000, "exited " + stopped.millis() + " ms after SIG" + signal);
        assertEquals(
                "Training stopped: the training job was asked to stop (SIG" + signal
                        + ") while waiting for MPI worker algo-2 to accept SSH connections",
                stopped.failure());
        assertFalse(stopped.succeeded());
        assertNothingLeft(); // sshd stopped
    }

    @ParameterizedTest
    @CsvSource({"TERM, 143", "INT, 130"})
    void stopSignalEndsTheWorkersWaitForOrted(String signal, int exitCode) throws Exception {
        Process masterSshd = sshdOnMaster();
        Train worker = mpiJob(1, MPI_SCRIPT, Map.of()).start();
        awaitWorkerSshd(); // the worker now waits for orted
        Finished stopped = worker.stop(signal);
        assertEquals(exitCode, stopped.exitCode(), stopped.log());
        assertTrue(stopped.millis() < 1000, "exited " + stopped.millis() + " ms after SIG" + signal);
        assertEquals(
                "Training stopped: the training job was asked to stop (SIG" + signal
                        + ") while waiting for the Open MPI daemon of the master's mpirun",
                stopped.failure());
        stop(masterSshd);
        assertNothingLeft(); // the worker's sshd stopped
    }

    /** Issue 9 item 9: a short-lived orted can end before the worker's first look; the master's status file must end the wait. */
    @Test
    void workerThatNeverSeesOrtedEndsOnTheMastersStatusFile() throws Exception {
        Process masterSshd = sshdOnMaster();
        Train worker = mpiJob(1, MPI_SCRIPT, Map.of()).start();
        awaitWorkerSshd(); // the worker now waits for orted
        // what the master does after mpirun (contract §9.2 step 4), over SSH into the worker's sshd
        cluster.host(0).exec("ssh -o BatchMode=yes algo-2 touch /tmp/done.algo-1");
        Finished finished = worker.finish(15);
        finished.assertSucceeded();
        assertTrue(finished.log().contains("MPI training job status file found. Exit gracefully"), finished.log());
        stop(masterSshd);
        assertNothingLeft();
    }

    /** Issue 9 item 9: no orted seen and no status file, but the master has gone: the worker ends too. */
    @Test
    void workerThatNeverSeesOrtedEndsWhenTheMasterBecomesUnreachable() throws Exception {
        Process masterSshd = sshdOnMaster();
        Train worker = mpiJob(1, MPI_SCRIPT, Map.of()).start();
        awaitWorkerSshd(); // the worker now waits for orted
        stop(masterSshd);
        Finished finished = worker.finish(30); // reachability is tested every 10 s while no daemon runs
        finished.assertSucceeded();
        assertTrue(finished.log().contains("The MPI master algo-1 is unreachable: its run is over."), finished.log());
        assertNothingLeft();
    }

    private JobSpec mpiJob(int host, String script, Map<String, String> hyperparameters) throws IOException {
        JobSpec job = job(host, "train.py", script)
                .hyperparameter("sagemaker_mpi_enabled", "true")
                .hyperparameter("sagemaker_mpi_num_of_processes_per_host", "2");
        hyperparameters.forEach(job::hyperparameter);
        return job;
    }

    private JobSpec job(int host, String program, String script) throws IOException {
        NamespaceHost namespaceHost = cluster.host(host);
        JobFolder folder = new JobFolder(namespaceHost.dir())
                .program(program)
                .sourceFile(program, script)
                .resourceConfig(RESOURCE_CONFIG.formatted(namespaceHost.hostname()));
        return new JobSpec(namespaceHost, folder);
    }

    /** sshd on algo-1 as the master's launcher would run it, for tests of a worker alone. */
    private Process sshdOnMaster() throws Exception {
        Process sshd =
                cluster.host(0).start(cluster.host(0).dir().resolve("sshd"), Map.of(), List.of("/usr/sbin/sshd", "-D"));
        awaitSsh(cluster.host(1), "algo-1");
        return sshd;
    }

    /** Waits until the worker's launcher has started sshd on algo-2, after which it waits for the master's orted. */
    private void awaitWorkerSshd() throws Exception {
        awaitSsh(cluster.host(0), "algo-2");
    }

    private static void awaitSsh(NamespaceHost from, String to) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            try {
                from.exec("ssh -o BatchMode=yes -o ConnectTimeout=5 " + to + " true");
                return;
            } catch (AssertionError notYet) {
                if (System.nanoTime() > deadline) {
                    throw notYet;
                }
                Thread.sleep(100);
            }
        }
    }

    private static void stop(Process process) throws Exception {
        NamespaceHost.inner(process).destroy();
        assertTrue(process.waitFor(10, TimeUnit.SECONDS), "did not stop");
    }

    private void assertRanks(int host, String expected) throws IOException {
        Path data = cluster.host(host).jobFolder().resolve("output/data");
        int first = host * 2;
        for (int rank = first; rank < first + 2; rank++) {
            assertEquals(expected + "\n", Files.readString(data.resolve("rank-" + rank)), "rank " + rank);
        }
        try (Stream<Path> files = Files.list(data)) {
            assertEquals(
                    2,
                    files.count(),
                    "ranks of other hosts wrote into " + cluster.host(host).hostname() + "'s output/data");
        }
    }

    /** Nothing runs in either host, after at most 5 s for processes already exiting (e.g. an SSH session closing). */
    private void assertNothingLeft() throws IOException, InterruptedException {
        for (int i = 0; i < 2; i++) {
            long deadline = System.nanoTime() + 5_000_000_000L;
            List<String> left = cluster.host(i).leftovers();
            while (!left.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50);
                left = cluster.host(i).leftovers();
            }
            assertEquals(List.of(), left, "still running on " + cluster.host(i).hostname());
        }
    }

    /**
     * A copy of the distribution (links) whose lib/ also has a jar with the test framework {@link EnvFramework}, which
     * runs the entry point with torchrun when the hyperparameter {@code use_torchrun} is set.
     */
    private Path distWithFramework() throws IOException {
        Path dist = Files.createDirectories(cluster.dir().resolve("dist"));
        Path bin = Files.createDirectories(dist.resolve("bin"));
        Path lib = Files.createDirectories(dist.resolve("lib"));
        try (Stream<Path> files = Files.list(Toolkit.DIST.resolve("bin"))) {
            for (Path file : files.toList()) {
                Files.createSymbolicLink(bin.resolve(file.getFileName()), file);
            }
        }
        try (Stream<Path> jars = Files.list(Toolkit.DIST.resolve("lib"))) {
            for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).toList()) {
                Files.createSymbolicLink(lib.resolve(jar.getFileName()), jar);
            }
        }
        String entry = EnvFramework.class.getName().replace('.', '/') + ".class";
        Path classes = Path.of(EnvFramework.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .getPath());
        try (OutputStream out = Files.newOutputStream(lib.resolve("test-framework.jar"));
                JarOutputStream jar = new JarOutputStream(out)) {
            jar.putNextEntry(new JarEntry(entry));
            jar.write(Files.readAllBytes(classes.resolve(entry)));
            jar.closeEntry();
        }
        return dist;
    }

    /** One host's job folder and how to start {@code bin/train} there. */
    private static final class JobSpec {
        private final NamespaceHost host;
        private final JobFolder folder;
        private final Map<String, String> environment = new HashMap<>(Map.of("SMC_PYTHON", PYTHON));
        private Path dist = Toolkit.DIST;

        JobSpec(NamespaceHost host, JobFolder folder) {
            this.host = host;
            this.folder = folder;
        }

        JobSpec hyperparameter(String name, String json) {
            folder.hyperparameter(name, json);
            return this;
        }

        JobSpec environment(Map<String, String> extra) {
            environment.putAll(extra);
            return this;
        }

        JobSpec dist(Path other) {
            dist = other;
            return this;
        }

        Train start() throws IOException, InterruptedException {
            folder.write();
            Path logs = host.dir().resolve("train");
            Process nsenter = host.start(
                    logs, environment, List.of(dist.resolve("bin/train").toString()));
            return new Train(host, folder, nsenter, NamespaceHost.inner(nsenter), logs);
        }
    }

    /** {@code bin/train} running on a host. */
    private record Train(NamespaceHost host, JobFolder folder, Process nsenter, ProcessHandle train, Path logs) {
        void awaitLog(String text) throws IOException, InterruptedException {
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!log().contains(text)) {
                if (!nsenter.isAlive() || System.nanoTime() > deadline) {
                    throw new AssertionError(
                            "on " + host.hostname() + ", train never logged '" + text + "':\n" + log());
                }
                Thread.sleep(50);
            }
        }

        Finished stop(String signal) throws IOException, InterruptedException {
            long sent = System.nanoTime();
            NamespaceHost.signal(train, signal);
            Finished finished = finish(30);
            return new Finished(finished.train(), finished.exitCode(), (System.nanoTime() - sent) / 1_000_000);
        }

        Finished finish(long seconds) throws IOException, InterruptedException {
            if (!nsenter.waitFor(seconds, TimeUnit.SECONDS)) {
                train.descendants().forEach(ProcessHandle::destroyForcibly);
                train.destroyForcibly();
                throw new AssertionError(
                        "on " + host.hostname() + ", train did not finish within " + seconds + " s:\n" + log());
            }
            return new Finished(this, nsenter.exitValue(), -1);
        }

        String log() throws IOException {
            Path file = logs.resolve("stderr");
            return (Files.exists(file) ? Files.readString(file) : "") + Files.readString(logs.resolve("stdout"));
        }
    }

    private record Finished(Train train, int exitCode, long millis) {
        String log() throws IOException {
            return train.log();
        }

        String failure() throws IOException {
            return train.folder().failure();
        }

        boolean succeeded() {
            return train.folder().succeeded();
        }

        void assertSucceeded() throws IOException {
            assertEquals(0, exitCode, train.host().hostname() + ":\n" + log());
            assertTrue(succeeded(), "no success file on " + train.host().hostname());
            assertEquals(null, failure(), "failure file on " + train.host().hostname());
        }
    }
}
