package io.smcontainers.launcher.train;

import static java.util.Objects.requireNonNull;

import io.smcontainers.launcher.code.EntryPointType;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The user code ready to run on this host: fetched and installed, its environment built, the cluster's host names
 * resolvable. What {@link EntryPointPreparation} hands to the chosen {@link Runner}.
 *
 * @param type the entry point's type (§7.3)
 * @param entryPoint the entry point, relative to {@code codeDir}
 * @param args its arguments
 * @param python the interpreter command ({@code [/abs/python3]}, or {@code [python3]} when no Python is involved)
 * @param environment the whole user process environment
 * @param codeDir the code dir, the working directory of the user process
 * @param captureError whether to keep a bounded tail of stderr for the failure message
 */
record PreparedEntryPoint(
        EntryPointType type,
        String entryPoint,
        List<String> args,
        List<String> python,
        Map<String, String> environment,
        Path codeDir,
        boolean captureError) {
    PreparedEntryPoint {
        requireNonNull(type, "type is null");
        requireNonNull(entryPoint, "entryPoint is null");
        args = List.copyOf(requireNonNull(args, "args is null"));
        python = List.copyOf(requireNonNull(python, "python is null"));
        requireNonNull(environment, "environment is null");
        requireNonNull(codeDir, "codeDir is null");
    }
}
