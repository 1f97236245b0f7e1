package io.smcontainers.launcher.code;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** The program part of a user command line (training contract §7.5), shared by the process and MPI runners. */
public final class ProgramCommand {
    private static final Pattern SAFE = Pattern.compile("[\\w@%+=:,./-]+");

    private ProgramCommand() {}

    /**
     * The argv that runs {@code name} with {@code args}.
     *
     * @param python the Python interpreter command, e.g. {@code [/usr/bin/python3]} or, under MPI,
     *     {@code [/usr/bin/python3, -m, mpi4py]}
     * @param java the Java launcher, e.g. {@code /usr/lib/jvm/java-17/bin/java}
     */
    public static List<String> of(
            EntryPointType type, String name, List<String> args, List<String> python, String java) {
        List<String> argv = new ArrayList<>();
        switch (type) {
            case PYTHON_PACKAGE -> {
                argv.addAll(python);
                argv.add("-m");
                argv.add(moduleName(name));
                argv.addAll(args);
            }
            case PYTHON_PROGRAM -> {
                argv.addAll(python);
                argv.add(notAnOption(name));
                argv.addAll(args);
            }
            case JAR -> {
                argv.add(java);
                argv.add("-jar");
                argv.add(notAnOption(name));
                argv.addAll(args);
            }
            case COMMAND -> {
                // SC's argv form (quirk #5 Keep, #4 Fix): no outer quotes to strip; the program path and the arguments
                // quoted for sh, so that no part of a user-supplied name or value is ever shell syntax
                argv.add("/bin/sh");
                argv.add("-c");
                StringBuilder line = new StringBuilder(shellQuote("./" + name)).append(' ');
                for (int i = 0; i < args.size(); i++) {
                    if (i > 0) {
                        line.append(' ');
                    }
                    line.append(shellQuote(args.get(i)));
                }
                argv.add(line.toString());
            }
        }
        return argv;
    }

    /** A relative program path that an interpreter cannot take for one of its options ({@code -c...}). */
    private static String notAnOption(String name) {
        return name.startsWith("-") ? "./" + name : name;
    }

    /** The module of a Python package entry point: one trailing {@code .py} removed, {@code /} as {@code .} (quirk #21 Fix). */
    static String moduleName(String name) {
        String module = name.endsWith(".py") ? name.substring(0, name.length() - 3) : name;
        return module.replace('/', '.');
    }

    /** POSIX shell quoting as Python's {@code shlex.quote}. */
    public static String shellQuote(String value) {
        if (value.isEmpty()) {
            return "''";
        }
        if (SAFE.matcher(value).matches()) {
            return value;
        }
        return "'" + value.replace("'", "'\"'\"'") + "'";
    }
}
