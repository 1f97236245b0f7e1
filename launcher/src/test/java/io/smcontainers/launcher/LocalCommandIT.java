package io.smcontainers.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcontainers.launcher.testing.Toolkit;
import io.smcontainers.launcher.testing.Toolkit.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's first command: the script-mode example through {@code sagemaker-toolkit local train}. */
class LocalCommandIT {
    private static final Path EXAMPLE =
            Paths.get("..", "examples", "script-mode").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    @Test
    void scriptModeExampleTrainsAndTheJobFolderIsTheSdksLayout() throws Exception {
        Path out = tmp.resolve("job");
        Run run = Toolkit.run(
                tmp.resolve("logs"),
                Map.of(),
                "sagemaker-toolkit",
                "local",
                "train",
                "--source-dir",
                EXAMPLE.toString(),
                "--entry-point",
                "train.py",
                "--hyperparameters",
                "{\"epochs\": 300, \"learning-rate\": 0.02}",
                "--channel",
                "training=" + EXAMPLE.resolve("data"),
                "--output",
                out.toString());
        assertEquals(0, run.exitCode(), run.stderr());
        assertTrue(run.stdout().contains("Model:      " + out.resolve("model") + " (model.json)"), run.stdout());
        String model = Files.readString(out.resolve("model/model.json"));
        assertTrue(model.contains("\"a\": 3.0") || model.contains("\"a\": 2.9"), model);
        String hps = Files.readString(out.resolve("input/config/hyperparameters.json"));
        assertTrue(hps.contains("\"epochs\": \"300\""), hps);
        assertTrue(hps.contains("\"sagemaker_program\": \"\\\"train.py\\\"\""), hps);
        assertTrue(hps.contains("\"sagemaker_submit_directory\": \"\\\"" + EXAMPLE + "\\\"\""), hps);
        assertTrue(Files.isSymbolicLink(out.resolve("input/data/training")));
        assertTrue(Files.exists(out.resolve("output/success")));
        assertTrue(run.stdout().contains("epochs=300 a="), run.stdout());
    }

    @Test
    void badArgumentsAreNamedWithUsage() throws Exception {
        Run run = Toolkit.run(
                tmp.resolve("logs"),
                Map.of(),
                "sagemaker-toolkit",
                "local",
                "train",
                "--source-dir",
                EXAMPLE.toString(),
                "--entry-point",
                "missing.py");
        assertEquals(2, run.exitCode());
        assertTrue(run.stderr().contains("--entry-point missing.py does not exist in " + EXAMPLE), run.stderr());
        assertTrue(run.stderr().contains("usage: sagemaker-toolkit local train"), run.stderr());
        Run json = Toolkit.run(
                tmp.resolve("logs2"),
                Map.of(),
                "sagemaker-toolkit",
                "local",
                "train",
                "--source-dir",
                EXAMPLE.toString(),
                "--entry-point",
                "train.py",
                "--hyperparameters",
                "{epochs: 1}");
        assertEquals(2, json.exitCode());
        assertTrue(json.stderr().contains("--hyperparameters is not valid JSON"), json.stderr());
    }
}
