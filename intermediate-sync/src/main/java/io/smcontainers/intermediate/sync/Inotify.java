package io.smcontainers.intermediate.sync;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Linux inotify through JNA: init, add/remove watches, poll with a timeout, read events. Not thread-safe. */
final class Inotify implements AutoCloseable {

    static final int IN_CLOSE_WRITE = 0x8;
    static final int IN_MOVED_FROM = 0x40;
    static final int IN_MOVED_TO = 0x80;
    static final int IN_CREATE = 0x100;
    static final int IN_DELETE_SELF = 0x400;
    static final int IN_MOVE_SELF = 0x800;
    static final int IN_Q_OVERFLOW = 0x4000;
    static final int IN_IGNORED = 0x8000;
    static final int IN_ONLYDIR = 0x01000000;
    static final int IN_DONT_FOLLOW = 0x02000000;
    static final int IN_EXCL_UNLINK = 0x04000000;
    static final int IN_ISDIR = 0x40000000;

    /** Watched on every directory: completed files, moves in and out, new directories, the directory itself going. */
    static final int DIR_MASK = IN_CLOSE_WRITE
            | IN_MOVED_FROM
            | IN_MOVED_TO
            | IN_CREATE
            | IN_DELETE_SELF
            | IN_MOVE_SELF
            | IN_ONLYDIR
            | IN_DONT_FOLLOW
            | IN_EXCL_UNLINK;

    static final int ENOENT = 2;
    static final int EAGAIN = 11;
    static final int EINTR = 4;
    static final int ENOTDIR = 20;
    static final int ENOSPC = 28;

    private static final int IN_NONBLOCK = 04000;
    private static final int IN_CLOEXEC = 02000000;
    private static final short POLLIN = 1;

    /** One event as the kernel reports it; {@code name} is empty for events about the watched directory itself. */
    record Event(int wd, int mask, int cookie, String name) {
        boolean is(int flag) {
            return (mask & flag) != 0;
        }
    }

    interface LibC extends Library {
        int inotify_init1(int flags) throws LastErrorException;

        int inotify_add_watch(int fd, String path, int mask) throws LastErrorException;

        int inotify_rm_watch(int fd, int wd) throws LastErrorException;

        long read(int fd, byte[] buf, long count) throws LastErrorException;

        int poll(Pointer fds, long nfds, int timeout) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    private static volatile LibC libc;

    private final LibC c;
    private final int fd;
    private final Memory pollFd = new Memory(8);
    private final byte[] buffer = new byte[256 * 1024];

    private Inotify(LibC c, int fd) {
        this.c = c;
        this.fd = fd;
    }

    /** Opens an inotify instance, or fails with an IOException that says why (not Linux, no JNA, limits). */
    static Inotify open() throws IOException {
        if (!Platform.isLinux()) {
            throw new IOException("inotify needs Linux; this is " + System.getProperty("os.name"));
        }
        try {
            LibC lib = libc;
            if (lib == null) {
                lib = Native.load("c", LibC.class);
                libc = lib;
            }
            return new Inotify(lib, lib.inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
        } catch (LastErrorException e) {
            throw new IOException(
                    "inotify_init1 failed, errno " + e.getErrorCode()
                            + " (raise the sysctl fs.inotify.max_user_instances if it is 24, EMFILE)",
                    e);
        } catch (LinkageError e) {
            throw new IOException("cannot load libc through JNA: " + e, e);
        }
    }

    /** Adds (or updates) a watch; returns the watch descriptor. */
    int addWatch(Path dir) throws LastErrorException {
        return c.inotify_add_watch(fd, dir.toString(), DIR_MASK);
    }

    void removeWatch(int wd) {
        try {
            c.inotify_rm_watch(fd, wd);
        } catch (LastErrorException e) {
            // already gone (EINVAL): the kernel dropped it when the directory went
        }
    }

    /** Waits up to {@code timeoutMillis} for events; true when some can be read. */
    boolean await(int timeoutMillis) {
        pollFd.setInt(0, fd);
        pollFd.setShort(4, POLLIN);
        pollFd.setShort(6, (short) 0);
        try {
            return c.poll(pollFd, 1, timeoutMillis) > 0;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == EINTR) {
                return false;
            }
            throw e;
        }
    }

    /** Reads what is queued without blocking; an empty list when nothing is. */
    List<Event> read() {
        long n;
        try {
            n = c.read(fd, buffer, buffer.length);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == EAGAIN || e.getErrorCode() == EINTR) {
                return List.of();
            }
            throw e;
        }
        return parse(buffer, (int) n);
    }

    static List<Event> parse(byte[] data, int length) {
        ByteBuffer b = ByteBuffer.wrap(data, 0, length).order(ByteOrder.nativeOrder());
        List<Event> events = new ArrayList<>();
        while (b.remaining() >= 16) {
            int wd = b.getInt();
            int mask = b.getInt();
            int cookie = b.getInt();
            int len = b.getInt();
            int start = b.position();
            int end = start;
            while (end < start + len && data[end] != 0) {
                end++;
            }
            events.add(new Event(wd, mask, cookie, new String(data, start, end - start, StandardCharsets.UTF_8)));
            b.position(start + len);
        }
        return events;
    }

    @Override
    public void close() {
        try {
            c.close(fd);
        } catch (LastErrorException e) {
            // nothing to do: the descriptor is gone either way
        }
    }
}
