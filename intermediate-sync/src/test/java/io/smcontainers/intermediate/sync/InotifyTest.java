package io.smcontainers.intermediate.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class InotifyTest {
    @Test
    void parsesEventsWithPaddedNamesAndWithout() {
        ByteBuffer b = ByteBuffer.allocate(128).order(ByteOrder.nativeOrder());
        byte[] name = "dir-é".getBytes(StandardCharsets.UTF_8);
        b.putInt(1)
                .putInt(Inotify.IN_CREATE | Inotify.IN_ISDIR)
                .putInt(0)
                .putInt(16)
                .put(name)
                .put(new byte[16 - name.length]);
        b.putInt(2).putInt(Inotify.IN_Q_OVERFLOW).putInt(0).putInt(0);
        b.putInt(3)
                .putInt(Inotify.IN_MOVED_TO)
                .putInt(77)
                .putInt(16)
                .put("f".getBytes(StandardCharsets.UTF_8))
                .put(new byte[15]);
        List<Inotify.Event> events = Inotify.parse(b.array(), b.position());
        assertEquals(
                List.of(
                        new Inotify.Event(1, Inotify.IN_CREATE | Inotify.IN_ISDIR, 0, "dir-é"),
                        new Inotify.Event(2, Inotify.IN_Q_OVERFLOW, 0, ""),
                        new Inotify.Event(3, Inotify.IN_MOVED_TO, 77, "f")),
                events);
        assertTrue(events.get(0).is(Inotify.IN_ISDIR));
    }

    @Test
    void watchMaskCoversCompletedFilesMovesAndNewDirectories() {
        int m = Inotify.DIR_MASK;
        assertEquals(Inotify.IN_CLOSE_WRITE, m & Inotify.IN_CLOSE_WRITE);
        assertEquals(Inotify.IN_MOVED_TO, m & Inotify.IN_MOVED_TO);
        assertEquals(Inotify.IN_MOVED_FROM, m & Inotify.IN_MOVED_FROM);
        assertEquals(Inotify.IN_CREATE, m & Inotify.IN_CREATE);
    }
}
