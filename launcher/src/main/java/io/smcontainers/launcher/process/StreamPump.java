package io.smcontainers.launcher.process;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Copies a child's stream to ours as it arrives and keeps a bounded tail of it.
 *
 * <p>Output is written in whole lines: a chunk is cut after its last line break and the remainder is held back
 * until the line ends, so that lines from this stream are never split or mixed with our own log lines. A partial
 * line is still written as soon as the child pauses (nothing more is readable), so prompts and progress bars
 * without a newline are not delayed, and it is written at end of stream. Nothing is dropped or reordered.
 */
final class StreamPump implements Runnable {
    private static final int CHUNK = 64 * 1024;

    private final InputStream in;
    private final OutputStream out;
    private final byte[] tail;
    private int tailLength;
    private long total;

    StreamPump(InputStream in, OutputStream out, int tailBytes) {
        this.in = in;
        this.out = out;
        this.tail = new byte[tailBytes];
    }

    @Override
    public void run() {
        byte[] buffer = new byte[CHUNK];
        int held = 0;
        try {
            while (true) {
                int read = in.read(buffer, held, buffer.length - held);
                if (read < 0) {
                    break;
                }
                remember(buffer, held, read);
                int filled = held + read;
                int cut = lastLineBreak(buffer, filled) + 1;
                if (cut == 0 && filled == buffer.length || in.available() == 0) {
                    cut = filled; // a full buffer without a line break, or the child paused: write all of it
                }
                write(buffer, 0, cut);
                held = filled - cut;
                System.arraycopy(buffer, cut, buffer, 0, held);
            }
        } catch (IOException e) {
            // the child's end closed abruptly (it was killed): what was read is written below
        }
        try {
            write(buffer, 0, held);
        } catch (IOException ignored) {
            // our own stream is gone; nothing left to report to
        }
    }

    private void write(byte[] bytes, int offset, int length) throws IOException {
        if (length > 0) {
            synchronized (out) {
                out.write(bytes, offset, length);
                out.flush();
            }
        }
    }

    private static int lastLineBreak(byte[] bytes, int length) {
        for (int i = length - 1; i >= 0; i--) {
            if (bytes[i] == '\n' || bytes[i] == '\r') {
                return i;
            }
        }
        return -1;
    }

    private synchronized void remember(byte[] bytes, int offset, int length) {
        total += length;
        if (tail.length == 0) {
            return;
        }
        if (length >= tail.length) {
            System.arraycopy(bytes, offset + length - tail.length, tail, 0, tail.length);
            tailLength = tail.length;
            return;
        }
        int keep = Math.min(tailLength, tail.length - length);
        System.arraycopy(tail, tailLength - keep, tail, 0, keep);
        System.arraycopy(bytes, offset, tail, keep, length);
        tailLength = keep + length;
    }

    /** The last bytes read (at most the tail size), decoded as UTF-8 with replacement, from a line start when cut. */
    synchronized String tail() {
        int start = 0;
        if (total > tailLength) {
            // the first line is cut: start after its end, if there is one
            for (int i = 0; i < tailLength; i++) {
                if (tail[i] == '\n') {
                    start = i + 1;
                    break;
                }
            }
        }
        return new String(Arrays.copyOfRange(tail, start, tailLength), StandardCharsets.UTF_8);
    }

    synchronized long total() {
        return total;
    }
}
