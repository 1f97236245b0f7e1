package io.smcontainers.launcher.python;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcontainers.launcher.code.CodeFetcher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the Python backend finds the user module (python-workers spec 3.2). */
class PythonCodeTest {
    private static final CodeFetcher NO_S3 = new CodeFetcher(
            () -> {
                throw new AssertionError("no S3 in this test");
            },
            new io.smcontainers.launcher.process.StopSignal(java.time.Duration.ZERO));

    @TempDir
    Path base;

    @Test
    void orderIsSubmitDirectoryThenModelCodeThenBaseCode() throws Exception {
        Path model = Files.createDirectories(base.resolve("model"));
        Path baseCode = Files.createDirectories(base.resolve("code"));
        Files.writeString(baseCode.resolve("inference.py"), "");
        assertEquals(
                Optional.of(baseCode),
                PythonCode.locate(Map.of(), base, model, NO_S3).codeDir(),
                "a non-empty <base>/code");
        Path modelCode = Files.createDirectories(model.resolve("code"));
        assertEquals(
                Optional.of(modelCode),
                PythonCode.locate(Map.of(), base, model, NO_S3).codeDir(),
                "<model>/code wins over <base>/code");
        Path submit = Files.createDirectories(base.resolve("elsewhere"));
        assertEquals(
                Optional.of(submit),
                PythonCode.locate(Map.of("SAGEMAKER_SUBMIT_DIRECTORY", submit.toString()), base, model, NO_S3)
                        .codeDir(),
                "a local submit directory is used in place");
    }

    @Test
    void theModuleComesFromSagemakerProgram() throws Exception {
        Path model = Files.createDirectories(base.resolve("model"));
        Path code = Files.createDirectories(model.resolve("code/sub"));
        PythonCode implicit = PythonCode.locate(Map.of(), base, model, NO_S3);
        assertEquals("inference", implicit.module());
        assertFalse(implicit.explicit());
        assertFalse(implicit.resolvable(model), "no inference.py anywhere");
        Files.writeString(model.resolve("inference.py"), "");
        assertTrue(implicit.resolvable(model), "<model>/inference.py counts");

        Files.writeString(code.resolve("serve_it.py"), "");
        PythonCode nested = PythonCode.locate(Map.of("SAGEMAKER_PROGRAM", "sub/serve_it.py"), base, model, NO_S3);
        assertEquals("serve_it", nested.module());
        assertTrue(nested.explicit());
        assertEquals(List.of(code), nested.extraPath(), "the program's directory goes first on sys.path");
        assertTrue(nested.resolvable(model));
    }

    @Test
    void aProgramOutsideTheCodeDirectoryOrNotAModuleIsRefused() throws Exception {
        Path model = Files.createDirectories(base.resolve("model/code")).getParent();
        IllegalArgumentException escape = assertThrows(
                IllegalArgumentException.class,
                () -> PythonCode.locate(Map.of("SAGEMAKER_PROGRAM", "../../etc/evil.py"), base, model, NO_S3));
        assertTrue(escape.getMessage().contains("outside the code directory"), escape.getMessage());
        IllegalArgumentException name = assertThrows(
                IllegalArgumentException.class,
                () -> PythonCode.locate(Map.of("SAGEMAKER_PROGRAM", "my-model; rm -rf.py"), base, model, NO_S3));
        assertTrue(name.getMessage().contains("does not name a Python module"), name.getMessage());
    }
}
