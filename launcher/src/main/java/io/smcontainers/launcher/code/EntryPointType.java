package io.smcontainers.launcher.code;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How an entry point runs (training contract §7.3, the STT order, with {@code .jar} added before the Python checks).
 */
public enum EntryPointType {
    /** {@code setup.py} in the code dir: {@code pip install .}, then {@code python3 -m <module>} */
    PYTHON_PACKAGE,
    /** {@code *.py}: {@code python3 <name>} */
    PYTHON_PROGRAM,
    /** {@code *.jar}: {@code java -jar <name>} */
    JAR,
    /** anything else, {@code *.sh} first of all: {@code /bin/sh -c "./<name> <args>"} */
    COMMAND;

    /** Detects the type of {@code name} from its name and the content of {@code codeDir} (never the submit dir). */
    public static EntryPointType detect(Path codeDir, String name) {
        if (name.endsWith(".sh")) {
            return COMMAND;
        }
        if (name.endsWith(".jar")) {
            return JAR;
        }
        if (Files.exists(codeDir.resolve("setup.py"))) {
            return PYTHON_PACKAGE;
        }
        if (name.endsWith(".py")) {
            return PYTHON_PROGRAM;
        }
        return COMMAND;
    }
}
