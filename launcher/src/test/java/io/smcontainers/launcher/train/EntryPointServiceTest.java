package io.smcontainers.launcher.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.smcontainers.env.core.HardwareInfo;
import io.smcontainers.env.core.ProcessEnvironment;
import io.smcontainers.env.core.TrainingEnv;
import io.smcontainers.framework.spi.RunOptions.Runner;
import io.smcontainers.launcher.code.CodeFetcher;
import io.smcontainers.launcher.code.Installer;
import io.smcontainers.launcher.code.S3Sources;
import io.smcontainers.launcher.process.ProcessActivity;
import io.smcontainers.launcher.process.ProcessLauncher;
import io.smcontainers.launcher.process.StopSignal;
import io.smcontainers.launcher.testing.JobFolder;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one place a runner is chosen (training contract §9.1), over real job folders. */
class EntryPointServiceTest {
    private static final String TWO_HOSTS =
            "{\"current_host\": \"%s\", \"hosts\": [\"algo-1\", \"algo-2\"], \"network_interface_name\": \"eth0\"}";

    @TempDir
    Path tmp;

    @Test
    void autoIsAPlainProcessWithoutMpi() throws IOException {
        EntryPointService service = service(new JobFolder(tmp).write());
        assertEquals(PlainRunner.class, service.runner(Runner.AUTO).getClass());
        assertEquals(PlainRunner.class, service.runner(Runner.PROCESS).getClass());
        assertEquals(
                TorchrunRunner.class, service.runner(Runner.TORCH_DISTRIBUTED).getClass());
    }

    @Test
    void autoWithMpiEnabledIsTheMasterOnTheFirstHostAndAWorkerElsewhere() throws IOException {
        EntryPointService master = service(new JobFolder(tmp.resolve("1"))
                .hyperparameter("sagemaker_mpi_enabled", "true")
                .resourceConfig(TWO_HOSTS.formatted("algo-1"))
                .write());
        assertEquals(MpiMasterRunner.class, master.runner(Runner.AUTO).getClass());
        assertEquals(
                PlainRunner.class, master.runner(Runner.PROCESS).getClass(), "an explicit runner wins over the job's");
        EntryPointService worker = service(new JobFolder(tmp.resolve("2"))
                .hyperparameter("sagemaker_mpi_enabled", "true")
                .resourceConfig(TWO_HOSTS.formatted("algo-2"))
                .write());
        assertEquals(MpiWorkerRunner.class, worker.runner(Runner.AUTO).getClass());
        assertEquals(MpiWorkerRunner.class, worker.runner(Runner.MPI).getClass());
        assertEquals(
                TorchrunRunner.class, worker.runner(Runner.TORCH_DISTRIBUTED).getClass());
    }

    @Test
    void mpiEnabledFollowsPythonTruthiness() throws IOException {
        assertEquals(
                PlainRunner.class,
                service(new JobFolder(tmp.resolve("false"))
                                .hyperparameter("sagemaker_mpi_enabled", "false")
                                .write())
                        .runner(Runner.AUTO)
                        .getClass());
        // the string "false" is truthy, as in the reference (a warning says so)
        assertEquals(
                MpiMasterRunner.class,
                service(new JobFolder(tmp.resolve("string"))
                                .hyperparameter("sagemaker_mpi_enabled", "\"false\"")
                                .write())
                        .runner(Runner.AUTO)
                        .getClass());
    }

    private static EntryPointService service(JobFolder job) {
        Map<String, String> variables = Map.of("SAGEMAKER_BASE_DIR", job.base().toString(), "PATH", "/usr/bin:/bin");
        TrainingEnv env = TrainingEnv.read(variables, HardwareInfo.fixed(0, 0, 2));
        ProcessEnvironment processEnvironment = new ProcessEnvironment(variables);
        LauncherSettings settings = LauncherSettings.from(variables);
        StopSignal stop = new StopSignal(Duration.ZERO);
        ProcessLauncher launcher = new ProcessLauncher(stop, new ProcessActivity());
        ScriptModeFramework framework = new ScriptModeFramework();
        EntryPointPreparation preparation = new EntryPointPreparation(
                env,
                processEnvironment,
                settings,
                new CodeFetcher(() -> S3Sources.sdk(variables, env.toolkitVariables()), stop),
                new Installer(launcher),
                stop,
                framework);
        return new EntryPointService(
                env, processEnvironment, settings, preparation, new UserProcess(env, launcher, framework), stop);
    }
}
