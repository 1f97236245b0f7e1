package io.smcontainers.env.core.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Real process groups started through {@code setsid}, signalled and stopped. */
class ProcessSignalsIT {
    @Test
    void terminateEndsAGroupThatLeavesOnSigterm() throws Exception {
        Process leader = startGroup("sleep 60 & echo ready; wait");
        long group = leader.pid();
        assertEquals(2, members(group).size(), "the shell and its sleep");
        assertTrue(ProcessSignals.terminate(
                signal -> ProcessSignals.signalGroups(List.of(group), signal),
                30_000,
                millis -> awaitNoMembers(group, millis)));
        assertEquals(List.of(), members(group));
        assertEquals(128 + 15, leader.waitFor(), ProcessSignals.name(leader.exitValue() - 128));
    }

    @Test
    void terminateKillsAGroupThatIgnoresSigterm() throws Exception {
        Process leader = startGroup("trap '' TERM; sleep 60 & echo ready; wait");
        long group = leader.pid();
        List<String> sent = new ArrayList<>();
        assertFalse(ProcessSignals.terminate(
                signal -> {
                    sent.add(signal);
                    ProcessSignals.signalGroups(List.of(group), signal);
                },
                200,
                millis -> awaitNoMembers(group, millis)));
        assertEquals(List.of("TERM", "KILL"), sent);
        assertEquals(List.of(), members(group));
        assertEquals("SIGKILL", ProcessSignals.name(leader.waitFor() - 128));
    }

    @Test
    void signalProcessReachesOneProcessNotItsGroup() throws Exception {
        Process leader = startGroup("sleep 60 & echo ready; wait");
        long group = leader.pid();
        long sleep =
                members(group).stream().filter(pid -> pid != group).findFirst().orElseThrow();
        ProcessSignals.signalProcess(sleep, "KILL");
        // the shell outlives its child: its wait returns and it exits 0 (a signal would have given 128 + n)
        assertTrue(leader.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, leader.exitValue());
        assertEquals(List.of(), members(group));
    }

    @Test
    void namesSignals() {
        assertEquals("SIGTERM", ProcessSignals.name(15));
        assertEquals("SIGKILL", ProcessSignals.name(9));
        assertEquals("signal 42", ProcessSignals.name(42));
    }

    private static Process startGroup(String script) throws Exception {
        List<String> argv = new ArrayList<>();
        argv.add(ProcessSignals.setsid().orElseThrow(() -> new AssertionError("setsid (util-linux) is needed")));
        argv.addAll(List.of("/bin/sh", "-c", script));
        Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
        BufferedReader out =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("ready", out.readLine());
        return process;
    }

    /** Live members of process group {@code group}, from {@code /proc}. */
    private static List<Long> members(long group) {
        return ProcStat.all().stream()
                .filter(process -> process.pgid() == group && !process.exited())
                .map(ProcStat::pid)
                .toList();
    }

    private static boolean awaitNoMembers(long group, long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!members(group).isEmpty()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
