package io.smcontainers.launcher.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * The processes of one user process: it is started as the leader of its own session (through {@code setsid}), and
 * everything it forks stays in that session, also children that move to process groups of their own
 * ({@code setpgid}: {@code timeout}, job control in {@code bash -m}). Members are found by session id in
 * {@code /proc}, and a signal goes to every process group of the session. Only a process that calls {@code setsid}
 * itself leaves it. Without {@code setsid} (util-linux missing) the child shares the launcher's session, so only its
 * own process group is tracked.
 */
final class ProcessGroup {
    private static final Path PROC = Paths.get("/proc");

    private final long leader;
    private final boolean ownSession;

    /**
     * @param leader the pid of the user process, which leads its session and its process group
     * @param ownSession whether it was started in a session of its own (through {@code setsid})
     */
    ProcessGroup(long leader, boolean ownSession) {
        this.leader = leader;
        this.ownSession = ownSession;
    }

    long id() {
        return leader;
    }

    /** Sends {@code signal} (a name such as {@code TERM}) to every member; nothing left alive is not an error. */
    void signal(String signal) {
        TreeSet<Long> groups = new TreeSet<>();
        groups.add(leader);
        for (Member member : scan()) {
            groups.add(member.pgid());
        }
        StringJoiner targets = new StringJoiner(" ");
        groups.forEach(group -> targets.add("-" + group));
        // the shell builtin takes negative pids (process groups) everywhere; /usr/bin/kill may be missing
        ProcessBuilder kill = new ProcessBuilder("/bin/sh", "-c", "kill -s " + signal + " -- " + targets + " 2>/dev/null")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        try {
            Process process = kill.start();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot send SIG" + signal + " to the processes of " + leader + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Live (not zombie) members. */
    List<Long> members() {
        return scan().stream().map(Member::pid).toList();
    }

    private record Member(long pid, long pgid) {}

    /** Live members read from {@code /proc/<pid>/stat}: same session (or process group, without a session of its own). */
    private List<Member> scan() {
        List<Member> found = new ArrayList<>();
        String wanted = Long.toString(leader);
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
                // pid (comm) state ppid pgrp session ...; comm may hold spaces and parentheses: parse after the last ')'
                int close = stat.lastIndexOf(')');
                if (close < 0 || close + 2 > stat.length()) {
                    continue;
                }
                String[] fields = stat.substring(close + 2).split(" ");
                if (fields.length > 3 && !fields[0].equals("Z") && !fields[0].equals("X")
                        && (ownSession ? fields[3] : fields[2]).equals(wanted)) {
                    found.add(new Member(Long.parseLong(name), Long.parseLong(fields[2])));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return found;
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
