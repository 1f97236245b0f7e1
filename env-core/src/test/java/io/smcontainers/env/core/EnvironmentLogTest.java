package io.smcontainers.env.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvironmentLogTest {
    @TempDir
    Path temp;

    @Test
    void secretsNeverReachTheLogButTheUserProcessGetsThem() throws IOException {
        TrainingEnv env = new JobFolder(temp)
                .hyperparameters("{\"db_password\": \"\\\"hunter2\\\"\", \"api-key\": \"s3cr3t\", \"epochs\": \"3\", "
                        + "\"nested\": \"{\\\"auth_token\\\": \\\"t0k3n\\\"}\", \"author\": \"ann\"}")
                .read();
        assertEquals("hunter2", env.envVars().get("SM_HP_DB_PASSWORD"));

        Map<String, String> variables = new LinkedHashMap<>(env.envVars());
        variables.put("AWS_SECRET_ACCESS_KEY", "AKIA-secret");
        variables.put("PYTHONPATH", "/opt/ml/code");
        String text = EnvironmentLog.describe(
                env, variables, List.of("python3", "train.py", "--api-key", "s3cr3t", "--epochs", "3"));
        for (String secret : List.of("hunter2", "s3cr3t", "t0k3n", "AKIA-secret")) {
            assertFalse(text.contains(secret), secret + " leaked:\n" + text);
        }
        assertTrue(text.contains("SM_HP_EPOCHS=3\n"), text);
        assertTrue(text.contains("SM_HP_AUTHOR=ann\n"), text);
        assertTrue(text.contains("python3 train.py --api-key ******** --epochs 3"), text);
        assertTrue(
                text.startsWith(
                        "Invoking user script\n\nTraining Env:\n\n{\n    \"additional_framework_parameters\": {},"),
                text);
        assertTrue(text.contains("\nEnvironment variables:\n\nSM_HOSTS=[\"algo-1\"]\n"), text);
    }

    @Test
    void theDumpCutsLongValuesAndLongListsAndStillMasksSecretsInThem() throws IOException {
        String big = "y".repeat(200_000);
        TrainingEnv env = new JobFolder(temp)
                .hyperparameters("{\"big\": \"\\\"" + big + "\\\"\", \"api_token\": \"\\\"tok-12345\\\"\", "
                        + "\"many\": \"[" + "1,".repeat(500) + "1]\"}")
                .read();
        Map<String, String> variables = new LinkedHashMap<>(env.envVars());
        variables.put("PYTHONPATH", "/opt/ml/code");
        String text = EnvironmentLog.describe(env, variables, List.of("python3", "train.py", "--big", big));
        assertTrue(text.length() < 40_000, "dump of " + text.length() + " characters");
        assertTrue(text.contains("SM_HP_BIG=" + "y".repeat(1024) + "...[+198976 characters]\n"), "variable cut");
        assertTrue(text.contains("--big " + "y".repeat(1024) + "...[+198976 characters]\n"), "argument cut");
        assertTrue(text.contains("\"...[+401 more items]\""), "list cut");
        assertFalse(text.contains("tok-12345"), "secret inside a cut SM_HPS / SM_TRAINING_ENV");
    }

    @Test
    void jsonNestedDeeperThanTheLimitIsAnErrorNotAStackOverflow() throws Exception {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        PyJson.JsonSyntaxException e = org.junit.jupiter.api.Assertions.assertThrows(
                PyJson.JsonSyntaxException.class, () -> PyJson.loads(deep));
        assertTrue(e.tooDeep());
        assertEquals("Nested deeper than 200 levels at position 200", e.getMessage());
        String ok = "{\"a\": ".repeat(200) + "1" + "}".repeat(200);
        assertEquals(ok.replace(" ", ""), PyJson.dumps(PyJson.loads(ok)));
        assertFalse(org.junit.jupiter.api.Assertions.assertThrows(
                        PyJson.JsonSyntaxException.class, () -> PyJson.loads("[1"))
                .tooDeep());
    }
}
