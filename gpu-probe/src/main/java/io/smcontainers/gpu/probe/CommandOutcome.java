package io.smcontainers.gpu.probe;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/** How one run of an external command ended. */
sealed interface CommandOutcome {

    /** The command line, for log lines: the resolved executable and its arguments. */
    String command();

    /** The process could not be started (or the wait was interrupted); {@code reason} says why. */
    record NotRun(String command, String reason) implements CommandOutcome {
        public NotRun {
            requireNonNull(command, "command is null");
            requireNonNull(reason, "reason is null");
        }
    }

    /**
     * The process did not exit, or did not close its output, within the time limit; it and the descendants still
     * attached to it were killed.
     *
     * @param detail what was still running, in words
     */
    record TimedOut(String command, String detail) implements CommandOutcome {
        public TimedOut {
            requireNonNull(command, "command is null");
            requireNonNull(detail, "detail is null");
        }
    }

    /**
     * The process exited and closed its output.
     *
     * @param exitCode the exit status; 128 + n when killed by signal n
     * @param stdout the first {@link CommandRunner#STDOUT_CAP} bytes of standard output
     * @param stdoutSize how many bytes standard output had in all (more than {@code stdout.length} when capped)
     * @param stderr the first {@link CommandRunner#STDERR_CAP} bytes of standard error
     */
    record Exited(String command, int exitCode, byte[] stdout, long stdoutSize, byte[] stderr)
            implements CommandOutcome {
        public Exited {
            requireNonNull(command, "command is null");
            stdout = stdout.clone();
            stderr = stderr.clone();
        }

        @Override
        public byte[] stdout() {
            return stdout.clone();
        }

        @Override
        public byte[] stderr() {
            return stderr.clone();
        }

        boolean stdoutTruncated() {
            return stdoutSize > stdout.length;
        }

        /** Standard output as text, or empty when it is not valid UTF-8 (Python's strict {@code decode("utf-8")}). */
        Optional<String> stdoutText() {
            try {
                return Optional.of(StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(stdout))
                        .toString());
            } catch (CharacterCodingException e) {
                return Optional.empty();
            }
        }

        /** A short, single-line quote of what the command printed (stdout, then stderr), for log lines. */
        String outputExcerpt() {
            String out = Excerpt.of(stdout);
            String err = Excerpt.of(stderr);
            if (err.isEmpty()) {
                return out.isEmpty() ? "no output" : "output \"" + out + "\"";
            }
            return out.isEmpty() ? "stderr \"" + err + "\"" : "output \"" + out + "\", stderr \"" + err + "\"";
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Exited that
                    && command.equals(that.command)
                    && exitCode == that.exitCode
                    && Arrays.equals(stdout, that.stdout)
                    && stdoutSize == that.stdoutSize
                    && Arrays.equals(stderr, that.stderr);
        }

        @Override
        public int hashCode() {
            return Objects.hash(command, exitCode, Arrays.hashCode(stdout), stdoutSize, Arrays.hashCode(stderr));
        }

        @Override
        public String toString() {
            return "Exited[command=" + command + ", exitCode=" + exitCode + ", stdoutSize=" + stdoutSize + ", stdout=\""
                    + Excerpt.of(stdout) + "\", stderr=\"" + Excerpt.of(stderr) + "\"]";
        }
    }
}
