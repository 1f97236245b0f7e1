package io.smcontainers.env.core.process;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The fields of one {@code /proc/<pid>/stat} line that the launcher and the serving runtime read: {@code pid (comm) state
 * ppid pgrp session ... starttime} (proc(5) fields 1-6 and 22).
 *
 * @param pid the process id
 * @param comm the executable name (at most 15 bytes; may hold spaces and parentheses)
 * @param state the one-letter state: {@code R}, {@code S}, {@code D}, {@code Z} (zombie), {@code X} (dead), ...
 * @param ppid the parent's pid
 * @param pgid the process group id
 * @param sid the session id
 * @param startTime the start time in clock ticks after boot: with the pid it names one process, even after pid reuse
 */
public record ProcStat(long pid, String comm, char state, long ppid, long pgid, long sid, long startTime) {
    private static final Path PROC = Path.of("/proc");

    public ProcStat {
        requireNonNull(comm, "comm is null");
    }

    /**
     * Parses one {@code stat} line. {@code comm} is whatever lies between the first {@code (} and the <em>last</em>
     * {@code )}: a program may name itself {@code a) R 1 (b}, so the fixed fields are read after the last parenthesis.
     *
     * @return empty when the line is not a {@code stat} line
     */
    public static Optional<ProcStat> parse(String line) {
        int open = line.indexOf('(');
        int close = line.lastIndexOf(')');
        if (open < 1 || close < open || close + 2 > line.length()) {
            return Optional.empty();
        }
        String[] fields = line.substring(close + 2).strip().split(" ");
        // fields[0] is proc(5) field 3 (state), so field n is fields[n - 3]; starttime is field 22
        if (fields.length < 20 || fields[0].length() != 1) {
            return Optional.empty();
        }
        try {
            return Optional.of(new ProcStat(
                    Long.parseLong(line.substring(0, open).strip()),
                    line.substring(open + 1, close),
                    fields[0].charAt(0),
                    Long.parseLong(fields[1]),
                    Long.parseLong(fields[2]),
                    Long.parseLong(fields[3]),
                    Long.parseLong(fields[19])));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The process {@code pid} now, or empty when it is gone (or this is not Linux). */
    public static Optional<ProcStat> read(long pid) {
        return read(PROC.resolve(Long.toString(pid)));
    }

    /** Every process in {@code /proc} now, in directory order; processes that go away during the scan are left out. */
    public static List<ProcStat> all() {
        List<ProcStat> found = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!name.isEmpty() && Character.isDigit(name.charAt(0))) {
                    read(entry).ifPresent(found::add);
                }
            }
        } catch (IOException | RuntimeException e) {
            return found;
        }
        return found;
    }

    private static Optional<ProcStat> read(Path processDir) {
        try {
            return parse(Files.readString(processDir.resolve("stat"), StandardCharsets.ISO_8859_1));
        } catch (IOException | RuntimeException gone) {
            return Optional.empty();
        }
    }

    /** A zombie ({@code Z}) or dead ({@code X}) process: it runs no code and takes no signal. */
    public boolean exited() {
        return state == 'Z' || state == 'X';
    }
}
