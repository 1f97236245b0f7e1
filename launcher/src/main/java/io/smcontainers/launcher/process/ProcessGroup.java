package io.smcontainers.launcher.process;

import io.smcontainers.env.core.process.ProcStat;
import io.smcontainers.env.core.process.ProcessSignals;
import java.util.List;
import java.util.Set;
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
        ProcessSignals.signalGroups(groups(), signal);
    }

    /** Live (not zombie) members. */
    List<Long> members() {
        return scan().stream().map(ProcStat::pid).toList();
    }

    /** The leader's group and every member's. */
    private Set<Long> groups() {
        Set<Long> groups = new TreeSet<>();
        groups.add(leader);
        scan().forEach(member -> groups.add(member.pgid()));
        return groups;
    }

    /** Live members: same session (or process group, without a session of its own). */
    private List<ProcStat> scan() {
        return ProcStat.all().stream()
                .filter(process -> !process.exited() && (ownSession ? process.sid() : process.pgid()) == leader)
                .toList();
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
        ProcessSignals.terminate(this::signal, graceMillis, this::awaitNoMembers);
        return alive;
    }

    private boolean awaitNoMembers(long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!members().isEmpty()) {
            if (System.nanoTime() >= deadline) {
                return false;
            }
            sleep(20);
        }
        return true;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
