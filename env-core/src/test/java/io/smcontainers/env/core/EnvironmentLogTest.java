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
        String text = EnvironmentLog.describe(env, variables, List.of("python3", "train.py", "--api-key", "s3cr3t", "--epochs", "3"));
        for (String secret : List.of("hunter2", "s3cr3t", "t0k3n", "AKIA-secret")) {
            assertFalse(text.contains(secret), secret + " leaked:\n" + text);
        }
        assertTrue(text.contains("SM_HP_EPOCHS=3\n"), text);
        assertTrue(text.contains("SM_HP_AUTHOR=ann\n"), text);
        assertTrue(text.contains("python3 train.py --api-key ******** --epochs 3"), text);
        assertTrue(text.startsWith("Invoking user script\n\nTraining Env:\n\n{\n    \"additional_framework_parameters\": {},"), text);
        assertTrue(text.contains("\nEnvironment variables:\n\nSM_HOSTS=[\"algo-1\"]\n"), text);
    }
}
