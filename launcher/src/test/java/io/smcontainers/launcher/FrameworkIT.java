package io.smcontainers.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcontainers.framework.spi.Framework;
import io.smcontainers.launcher.process.StopSignal;
import io.smcontainers.launcher.testing.EnvFramework;
import io.smcontainers.launcher.testing.JobFolder;
import io.smcontainers.launcher.testing.OtherFramework;
import io.smcontainers.launcher.testing.Toolkit;
import io.smcontainers.launcher.testing.Toolkit.Run;
import io.smcontainers.launcher.train.LauncherSettings;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Framework selection: a Java class named by SAGEMAKER_TRAINING_MODULE with the SPI's environment and command hooks, Python modules, ServiceLoader. */
class FrameworkIT {
    @TempDir
    Path tmp;

    private int train(JobFolder job, Map<String, String> extra) {
        Map<String, String> environment = new LinkedHashMap<>(System.getenv());
        environment.put("SAGEMAKER_BASE_DIR", job.base().toString());
        environment.put("SMC_PYTHON", "/usr/bin/python3");
        environment.putAll(extra);
        return TrainCommand.run(
                environment,
                LauncherSettings.from(environment),
                new StopSignal(Duration.ofSeconds(5)),
                getClass().getClassLoader());
    }

    @Test
    void javaFrameworkNamedByClassAddsEnvironmentWrapsTheCommandAndChoosesArguments() throws Exception {
        JobFolder job = new JobFolder(tmp)
                .program("train.py")
                .hyperparameter("epochs", "2")
                .sourceFile(
                        "train.py",
                        String.join(
                                "\n",
                                "import os, sys",
                                "open(os.path.join(os.environ['SM_MODEL_DIR'], 'out'), 'w').write(",
                                "    ' '.join(sys.argv[1:]) + '|' + os.environ['FROM_FRAMEWORK'] + '|' + os.environ['EXTRA'] + '|' + os.environ['WRAPPED'])",
                                ""))
                .write();
        assertEquals(0, train(job, Map.of("SAGEMAKER_TRAINING_MODULE", EnvFramework.class.getName())));
        assertEquals(
                "--from framework|yes:algo-1|1|yes:algo-1",
                Files.readString(job.base().resolve("model/out")));
        assertTrue(job.succeeded());
    }

    @Test
    void torchDistributedRunnerRunsTorchrunFromPath() throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path torchrun = bin.resolve("torchrun");
        // torch is not installed here: a torchrun that records its argv and environment, then runs the script once
        Files.writeString(
                torchrun,
                "#!/bin/sh\necho \"$* NCCL_PROTO=$NCCL_PROTO NCCL_SOCKET_IFNAME=$NCCL_SOCKET_IFNAME\" > \"$SM_MODEL_DIR/torchrun\"\n"
                        + "while [ \"${1#--}\" != \"$1\" ]; do shift 2; done\nexec /usr/bin/python3 \"$@\"\n");
        Files.setPosixFilePermissions(torchrun, PosixFilePermissions.fromString("rwxr-xr-x"));
        JobFolder job = new JobFolder(tmp)
                .program("train.py")
                .hyperparameter("use_torchrun", "true")
                .sourceFile(
                        "train.py",
                        "import os, sys\nopen(os.environ['SM_MODEL_DIR'] + '/ran', 'w').write(' '.join(sys.argv[1:]))\n")
                .write();
        assertEquals(
                0,
                train(
                        job,
                        Map.of(
                                "SAGEMAKER_TRAINING_MODULE",
                                EnvFramework.class.getName(),
                                "PATH",
                                bin + ":" + System.getenv("PATH"))));
        assertEquals(
                "--nnodes 1 --nproc_per_node 1 train.py --from framework NCCL_PROTO=simple NCCL_SOCKET_IFNAME=eth0\n",
                Files.readString(job.base().resolve("model/torchrun")));
        assertEquals("--from framework", Files.readString(job.base().resolve("model/ran")));
    }

    @Test
    void unknownFrameworkClassIsNamed() throws Exception {
        JobFolder job = new JobFolder(tmp).write();
        assertEquals(1, train(job, Map.of("SAGEMAKER_TRAINING_MODULE", "com.example.NoSuchFramework")));
        assertTrue(
                job.failure()
                        .startsWith(
                                "SAGEMAKER_TRAINING_MODULE names the class com.example.NoSuchFramework, which is not on the class path"),
                job.failure());
    }

    @Test
    void twoServiceLoaderFrameworksAreRefusedAndOneIsUsed() throws Exception {
        Path services = Files.createDirectories(tmp.resolve("cp/META-INF/services"));
        Files.writeString(services.resolve(Framework.class.getName()), EnvFramework.class.getName() + "\n");
        ClassLoader one = new URLClassLoader(
                new URL[] {tmp.resolve("cp").toUri().toURL()}, getClass().getClassLoader());
        assertTrue(FrameworkLocator.locate(Optional.empty(), one).orElseThrow() instanceof EnvFramework);
        Path other = Files.createDirectories(tmp.resolve("cp2/META-INF/services"));
        Files.writeString(other.resolve(Framework.class.getName()), OtherFramework.class.getName() + "\n");
        ClassLoader two =
                new URLClassLoader(new URL[] {tmp.resolve("cp2").toUri().toURL()}, one);
        io.smcontainers.launcher.error.LauncherException e = org.junit.jupiter.api.Assertions.assertThrows(
                io.smcontainers.launcher.error.LauncherException.class,
                () -> FrameworkLocator.locate(Optional.empty(), two));
        assertTrue(
                e.getMessage().startsWith("More than one io.smcontainers.framework.spi.Framework is registered"),
                e.getMessage());
    }

    @Test
    void pythonFrameworkModuleIsImportedAndCalledThroughBinTrain() throws Exception {
        Path modules = Files.createDirectories(tmp.resolve("pylib/myfw"));
        Files.writeString(modules.resolve("__init__.py"), "");
        Files.writeString(
                modules.resolve("training.py"),
                String.join(
                        "\n",
                        "import os",
                        "def main():",
                        "    base = os.environ['SAGEMAKER_BASE_DIR']",
                        "    open(os.path.join(base, 'model', 'fw'), 'w').write(os.environ['CURRENT_HOST'])",
                        "def broken():",
                        "    raise RuntimeError('framework says no')",
                        ""));
        JobFolder job = new JobFolder(tmp).write();
        Map<String, String> env = Map.of(
                "SAGEMAKER_BASE_DIR",
                job.base().toString(),
                "PYTHONPATH",
                tmp.resolve("pylib").toString(),
                "SAGEMAKER_TRAINING_MODULE",
                "myfw.training:main");
        Run run = Toolkit.run(tmp.resolve("logs"), env, "train");
        assertEquals(0, run.exitCode(), run.stderr());
        assertEquals("algo-1", Files.readString(job.base().resolve("model/fw")));
        assertTrue(run.stderr().contains("Imported framework myfw.training"), run.stderr());

        Files.delete(job.base().resolve("output/success"));
        Map<String, String> broken = new LinkedHashMap<>(env);
        broken.put("SAGEMAKER_TRAINING_MODULE", "myfw.training:broken");
        Run failed = Toolkit.run(tmp.resolve("logs2"), broken, "train");
        assertEquals(1, failed.exitCode(), failed.stderr());
        assertTrue(job.failure().startsWith("FrameworkModuleError:\nExitCode 1\n"), job.failure());
        assertTrue(job.failure().contains("RuntimeError: framework says no"), job.failure());
    }
}
