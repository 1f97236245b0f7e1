package io.smcontainers.launcher.code;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProgramCommandTest {
    private static final List<String> PY = List.of("/usr/bin/python3");

    @Test
    void pythonProgramKeepsItsSubPath() {
        assertEquals(
                List.of("/usr/bin/python3", "src/train.py", "--lr", "0.1"),
                ProgramCommand.of(EntryPointType.PYTHON_PROGRAM, "src/train.py", List.of("--lr", "0.1"), PY, "java"));
    }

    @Test
    void pythonPackageRemovesOnlyTheTrailingPyAndUsesDots() {
        assertEquals(
                List.of("/usr/bin/python3", "-m", "my.pyramid", "-x"),
                ProgramCommand.of(EntryPointType.PYTHON_PACKAGE, "my.pyramid.py", List.of("-x"), PY, "java"));
        assertEquals(
                List.of("/usr/bin/python3", "-m", "src.train"),
                ProgramCommand.of(EntryPointType.PYTHON_PACKAGE, "src/train.py", List.of(), PY, "java"));
    }

    @Test
    void commandIsTheReferenceShellFormWithQuotedArguments() {
        assertEquals(
                List.of("/bin/sh", "-c", "./launcher.sh --lr '1 3'"),
                ProgramCommand.of(EntryPointType.COMMAND, "launcher.sh", List.of("--lr", "1 3"), PY, "java"));
        assertEquals(
                List.of("/bin/sh", "-c", "./train "),
                ProgramCommand.of(EntryPointType.COMMAND, "train", List.of(), PY, "java"));
        assertEquals(
                List.of("/bin/sh", "-c", "./x.sh 'say \"hi\"' '' 'it'\"'\"'s' a=1,b=x"),
                ProgramCommand.of(
                        EntryPointType.COMMAND, "x.sh", List.of("say \"hi\"", "", "it's", "a=1,b=x"), PY, "java"));
    }

    @Test
    void commandNameIsQuotedAsOneWordForTheShell() {
        assertEquals(
                List.of("/bin/sh", "-c", "'./a;touch X;b $(touch Y).sh' --lr 1"),
                ProgramCommand.of(
                        EntryPointType.COMMAND, "a;touch X;b $(touch Y).sh", List.of("--lr", "1"), PY, "java"));
        assertEquals(
                List.of("/bin/sh", "-c", "'./it'\"'\"'s.sh' "),
                ProgramCommand.of(EntryPointType.COMMAND, "it's.sh", List.of(), PY, "java"));
    }

    @Test
    void programNamesStartingWithADashAreNotInterpreterOptions() {
        assertEquals(
                List.of("/usr/bin/python3", "./-c.py"),
                ProgramCommand.of(EntryPointType.PYTHON_PROGRAM, "-c.py", List.of(), PY, "java"));
        assertEquals(
                List.of("java", "-jar", "./-x.jar"),
                ProgramCommand.of(EntryPointType.JAR, "-x.jar", List.of(), PY, "java"));
    }

    @Test
    void jarRunsWithJavaDashJar() {
        assertEquals(
                List.of("/jdk/bin/java", "-jar", "model.jar", "--epochs", "2"),
                ProgramCommand.of(EntryPointType.JAR, "model.jar", List.of("--epochs", "2"), PY, "/jdk/bin/java"));
    }

    @Test
    void mpiPythonPrefixIsUsedAsGiven() {
        assertEquals(
                List.of("/usr/bin/python3", "-m", "mpi4py", "train.py"),
                ProgramCommand.of(
                        EntryPointType.PYTHON_PROGRAM,
                        "train.py",
                        List.of(),
                        List.of("/usr/bin/python3", "-m", "mpi4py"),
                        "java"));
    }

    @Test
    void typeDetectionFollowsTheSttOrder(@TempDir Path code) throws Exception {
        assertEquals(EntryPointType.PYTHON_PROGRAM, EntryPointType.detect(code, "train.py"));
        assertEquals(EntryPointType.COMMAND, EntryPointType.detect(code, "bash_script"));
        assertEquals(EntryPointType.JAR, EntryPointType.detect(code, "model.jar"));
        Files.writeString(code.resolve("setup.py"), "");
        assertEquals(EntryPointType.PYTHON_PACKAGE, EntryPointType.detect(code, "train.py"));
        assertEquals(EntryPointType.PYTHON_PACKAGE, EntryPointType.detect(code, "train"));
        assertEquals(EntryPointType.COMMAND, EntryPointType.detect(code, "train.sh"));
        assertEquals(EntryPointType.JAR, EntryPointType.detect(code, "model.jar"));
    }
}
