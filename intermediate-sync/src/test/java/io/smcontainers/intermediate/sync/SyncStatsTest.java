package io.smcontainers.intermediate.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SyncStatsTest {
    @Test
    void keepsItsCounters() {
        SyncStats stats = new SyncStats(3, 4096, 1, 2);
        assertEquals(3, stats.filesUploaded());
        assertEquals(4096, stats.bytesUploaded());
        assertEquals(1, stats.failures());
        assertEquals(2, stats.queued());
    }

    @Test
    void refusesNegativeCountersNamingThem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SyncStats(1, -1, 0, 0));
        assertTrue(e.getMessage().contains("-1 bytes"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SyncStats(0, 0, 0, -2));
    }
}
