package io.smcontainers.serving.netty;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;

/**
 * Copies one stream of a Python worker to the server's own stream line by line (python-workers spec 3.11): each line
 * prefixed {@code [py w<slot> pid=<pid>] }, lines longer than 16 KiB split, invalid UTF-8 replaced, a last line without
 * a newline written at end of stream. Not through the log level filter: user prints are never dropped. Keeps the last
 * 20 lines for crash reports.
 */
final class PythonOutputPump implements Runnable {
    static final int MAX_LINE = 16 * 1024;
    private static final int TAIL_LINES = 20;

    private final InputStream in;
    private final PrintStream out;
    private final String prefix;
    private final ArrayDeque<String> tail = new ArrayDeque<>();
    private final CharsetDecoder decoder = StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);

    PythonOutputPump(InputStream in, PrintStream out, String prefix) {
        this.in = in;
        this.out = out;
        this.prefix = prefix;
    }

    /** Starts the pump on a daemon thread. */
    Thread start(String threadName) {
        Thread thread = new Thread(this, threadName);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    @Override
    public void run() {
        byte[] line = new byte[MAX_LINE];
        byte[] chunk = new byte[64 * 1024];
        int filled = 0;
        try {
            int read;
            while ((read = in.read(chunk)) >= 0) {
                for (int i = 0; i < read; i++) {
                    byte b = chunk[i];
                    if (b == '\n') {
                        emit(line, filled);
                        filled = 0;
                    } else {
                        line[filled++] = b;
                        if (filled == MAX_LINE) {
                            emit(line, filled);
                            filled = 0;
                        }
                    }
                }
            }
        } catch (IOException e) {
            // the process is gone: what was read is written below
        } finally {
            if (filled > 0) {
                emit(line, filled);
            }
            try {
                in.close();
            } catch (IOException ignored) {
                // nothing left to read
            }
        }
    }

    private void emit(byte[] bytes, int length) {
        int end = length;
        if (end > 0 && bytes[end - 1] == '\r') {
            end--;
        }
        String text;
        try {
            text = decoder.decode(ByteBuffer.wrap(bytes, 0, end)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            text = new String(bytes, 0, end, StandardCharsets.UTF_8);
        }
        synchronized (tail) {
            if (tail.size() == TAIL_LINES) {
                tail.removeFirst();
            }
            tail.addLast(text);
        }
        byte[] encoded = (prefix + text + "\n").getBytes(StandardCharsets.UTF_8);
        synchronized (out) {
            out.write(encoded, 0, encoded.length);
            out.flush();
        }
    }

    /** The last lines read (at most 20). */
    List<String> tail() {
        synchronized (tail) {
            return List.copyOf(tail);
        }
    }
}
