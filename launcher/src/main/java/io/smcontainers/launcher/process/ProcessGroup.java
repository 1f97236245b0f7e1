package io.smcontainers.launcher.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Linux process group: the user process is started as the leader of its own session (through {@code setsid}), so
 * every process it forks stays in the group unless it calls {@code setsid} itself. Signals go to the whole group.
 */
final class ProcessGroup {
    private static final Path PROC = Paths.get("/proc");

    private final long pgid;

    ProcessGroup(long pgid) {
        this.pgid = pgid;
    }

    long id() {
        return pgid;
    }

    /** Sends {@code signal} (a name such as {@code TERM}) to every member; a group with no member left is not an error. */
    void signal(String signal) {
        // the shell builtin takes a negative pid (a process group) everywhere; /usr/bin/kill may be missing
        ProcessBuilder kill = new ProcessBuilder("/bin/sh", "-c", "kill -s " + signal + " -- -" + pgid + " 2>/dev/null")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        try {
            Process process = kill.start();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot send SIG" + signal + " to process group " + pgid + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Live (not zombie) members, read from {@code /proc/<pid>/stat}. */
    List<Long> members() {
        List<Long> found = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.isEmpty() || !Character.isDigit(name.charAt(0))) {
                    continue;
                }
                String stat;
                try {
                    stat = Files.readString(entry.resolve("stat"), StandardCharsets.ISO_8859_1);
                } catch (IOException | RuntimeException gone) {
                    continue;
                }
                // pid (comm) state ppid pgrp ...; comm may hold spaces and parentheses, so parse after the last ')'
                int close = stat.lastIndexOf(')');
                if (close < 0) {
                    continue;
                }
                String[] fields = stat.substring(close + 2).split(" ");
                if (fields.length > 2 && !fields[0].equals("Z") && !fields[0].equals("X")
                        && fields[2].equals(Long.toString(pgid))) {
                    found.add(Long.parseLong(name));
                }
            }
        } catch (IOException e) {
            return List.of();
        }
        return found;
    }

    /**
     * Stops every member: SIGTERM, up to {@code graceMillis} for them to go, then SIGKILL.
     *
     * @return how many processes were still alive when this was called
     */
    int terminate(long graceMillis) {
        int alive = members().size();
        if (alive == 0) {
            return 0;
        }
        signal("TERM");
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceMillis);
        while (System.nanoTime() < deadline && !members().isEmpty()) {
            sleep(20);
        }
        if (!members().isEmpty()) {
            signal("KILL");
            long killDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (System.nanoTime() < killDeadline && !members().isEmpty()) {
                sleep(10);
            }
        }
        return alive;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
