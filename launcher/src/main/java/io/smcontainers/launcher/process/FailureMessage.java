package io.smcontainers.launcher.process;

import io.smcontainers.env.core.EnvironmentLog;
import io.smcontainers.env.core.process.ProcessSignals;
import java.util.List;

/**
 * The message of a failed user process, in the reference's (STT) layout so that existing tooling can read it:
 *
 * <pre>
 * ExecuteUserScriptError:
 * ExitCode 137
 * ErrorMessage "MemoryError"
 * ExtraInfo "killed by SIGKILL, possibly out of memory"
 * Command "/usr/bin/python3 train.py --epochs 2"
 * </pre>
 *
 * <p>The error message is the end of the captured stderr, starting at the first line that names an error (as the
 * reference collects it) and bounded to {@value #MAX_ERROR_CHARS} characters, so that the class, the exit status
 * and the most useful lines fit in the 1024 characters SageMaker shows as the failure reason.
 */
public final class FailureMessage {
    static final int MAX_ERROR_CHARS = 700;
    /** The failure reason SageMaker shows is 1024 characters: a huge argument must not push the rest out. */
    static final int MAX_ARGUMENT_CHARS = 100;

    /** Substrings that start error collection (training contract appendix C, condensed: they are matched anywhere). */
    private static final List<String> ERROR_MARKERS = List.of(
            "Error",
            "ERROR",
            "error:",
            "Exception",
            "Invalid requirement",
            "mpirun.real",
            "ORTE",
            "Traceback (most recent call last)");

    private FailureMessage() {}

    public static String of(String errorClass, Command command, ProcessResult result) {
        StringBuilder message = new StringBuilder(errorClass).append(":\n");
        message.append("ExitCode ").append(result.exitCode()).append('\n');
        message.append("ErrorMessage \"")
                .append(errorLines(result.stderrTail()))
                .append("\"\n");
        extraInfo(result)
                .ifPresent(info -> message.append("ExtraInfo \"").append(info).append("\"\n"));
        message.append("Command \"").append(shown(command.argv())).append('"');
        return message.toString();
    }

    /** The command as the failure file shows it: secret options masked, each argument at most {@value #MAX_ARGUMENT_CHARS} characters. */
    static String shown(List<String> argv) {
        StringBuilder line = new StringBuilder();
        for (String argument : EnvironmentLog.maskArguments(argv)) {
            line.append(line.length() > 0 ? " " : "").append(EnvironmentLog.shorten(argument, MAX_ARGUMENT_CHARS));
        }
        return line.toString();
    }

    static java.util.Optional<String> extraInfo(ProcessResult result) {
        if (result.stopRequested()) {
            return java.util.Optional.of(
                    "stopped: the training job was asked to stop (" + ProcessSignals.name(result.stopSignal()) + ")");
        }
        if (result.exitCode() == 137) {
            return java.util.Optional.of("killed by SIGKILL, possibly out of memory");
        }
        return result.signalName().map(name -> "killed by " + name);
    }

    /** The useful end of a stderr tail: from the first line naming an error, else all of it; at most the bound. */
    static String errorLines(String tail) {
        String text = tail.strip();
        String[] lines = text.split("\n", -1);
        int from = 0;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (ERROR_MARKERS.stream().anyMatch(line::contains)) {
                from = i;
                break;
            }
        }
        String selected = String.join("\n", java.util.Arrays.asList(lines).subList(from, lines.length))
                .strip();
        if (selected.length() > MAX_ERROR_CHARS) {
            String cut = selected.substring(selected.length() - MAX_ERROR_CHARS);
            int lineStart = cut.indexOf('\n');
            selected = "..." + (lineStart >= 0 && lineStart < cut.length() - 1 ? cut.substring(lineStart) : cut);
        }
        return selected;
    }
}
