package io.smcontainers.env.core.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ProcStatTest {
    /** The fields after comm of a real line (a sleeping bash), with starttime (field 22) = 4242. */
    private static final String REST = " S 17 23 23 34816 23 4194560 1181 0 0 0 1 0 0 0 20 0 1 0 4242 8695808 1280 "
            + "18446744073709551615 1 1 0 0 0 0 65536 3686404 1266761467 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n";

    @ParameterizedTest
    @ValueSource(strings = {"bash", "Web Content", "a) R 1 (b", ")", "(", "((x))", "x) Z 99 99 99", "tab\there", ""})
    void commMayHoldSpacesAndParentheses(String comm) {
        ProcStat stat = ProcStat.parse("4711 (" + comm + ")" + REST).orElseThrow();
        assertEquals(new ProcStat(4711, comm, 'S', 17, 23, 23, 4242), stat);
        assertFalse(stat.exited());
    }

    @Test
    void zombiesAndDeadProcessesHaveExited() {
        assertTrue(ProcStat.parse("5 (defunct)" + REST.replace(" S ", " Z "))
                .orElseThrow()
                .exited());
        assertTrue(ProcStat.parse("5 (gone)" + REST.replace(" S ", " X "))
                .orElseThrow()
                .exited());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "4711",
                "4711 (bash",
                "4711 bash) S 1 2 3",
                "(bash)",
                "x (bash)" + " S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20",
                "4711 (bash) S 1 2",
                "4711 (bash) S one 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20"
            })
    void anythingElseIsNotAStatLine(String line) {
        assertEquals(Optional.empty(), ProcStat.parse(line));
    }

    @Test
    void readsThisProcess() {
        ProcessHandle self = ProcessHandle.current();
        ProcStat stat = ProcStat.read(self.pid()).orElseThrow();
        assertEquals(self.pid(), stat.pid());
        assertEquals(self.parent().orElseThrow().pid(), stat.ppid());
        assertFalse(stat.exited());
        assertTrue(ProcStat.all().contains(ProcStat.read(1).orElseThrow()), "init is listed");
    }
}
