package io.smcontainers.serving.netty;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * The frames between Java and {@code smc_worker.py} (python-workers spec 3.5, serving-netty/PYTHON-WORKER-NOTES.md): a
 * 16-byte big-endian header ({@code u32 len = 12 + payload}, {@code u8 type}, {@code u8 flags}, {@code u16 0},
 * {@code u64 seq}) and a payload; a block of n fields is n u32 lengths followed by the n byte strings.
 */
final class PythonFrames {
    static final int HEADER = 16;
    static final byte LOAD = 0x01;
    static final byte INVOKE = 0x02;
    static final byte PING = 0x03;
    static final byte SHUTDOWN = 0x04;
    static final byte HELLO = (byte) 0x81;
    static final byte LOADED = (byte) 0x82;
    static final byte LOAD_FAILED = (byte) 0x83;
    static final byte RESULT = (byte) 0x84;
    static final byte ERROR = (byte) 0x85;
    static final byte PONG = (byte) 0x86;
    static final byte CANCELLED = (byte) 0x87;

    private PythonFrames() {}

    /** A received frame: type, seq and payload (positioned at 0, limit = payload length). */
    record Frame(byte type, long seq, ByteBuffer payload) {
        String text() {
            return StandardCharsets.UTF_8.decode(payload.duplicate()).toString();
        }
    }

    /** A frame header for a payload of {@code payloadLength} bytes. */
    static ByteBuffer header(byte type, long seq, long payloadLength) {
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        header.putInt((int) (12 + payloadLength))
                .put(type)
                .put((byte) 0)
                .putShort((short) 0)
                .putLong(seq)
                .flip();
        return header;
    }

    /** Writes the whole frame (header, then the payload buffers in order) with gathering writes. */
    static void write(SocketChannel channel, byte type, long seq, ByteBuffer... payload) throws IOException {
        long length = 0;
        for (ByteBuffer part : payload) {
            length += part.remaining();
        }
        ByteBuffer[] all = new ByteBuffer[payload.length + 1];
        all[0] = header(type, seq, length);
        System.arraycopy(payload, 0, all, 1, payload.length);
        long left = length + HEADER;
        while (left > 0) {
            left -= channel.write(all);
        }
    }

    /** The lengths of a block of fields, as the buffer that precedes them. */
    static ByteBuffer blockLengths(ByteBuffer... fields) {
        ByteBuffer lengths = ByteBuffer.allocate(4 * fields.length);
        for (ByteBuffer field : fields) {
            lengths.putInt(field.remaining());
        }
        return lengths.flip();
    }

    /** The frame header read from the channel; {@link EOFException} at a clean end of stream before any byte. */
    static ByteBuffer readHeader(SocketChannel channel) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        readFully(channel, header);
        header.flip();
        return header;
    }

    /** Reads a whole frame, refusing a payload over {@code maxPayload} bytes ({@link OversizeFrame}, payload not read). */
    static Frame read(SocketChannel channel, long maxPayload) throws IOException {
        ByteBuffer header = readHeader(channel);
        long length = Integer.toUnsignedLong(header.getInt(0)) - 12;
        byte type = header.get(4);
        long seq = header.getLong(8);
        if (length < 0) {
            throw new ProtocolException("frame length " + (length + 12) + " is shorter than its header");
        }
        if (length > maxPayload) {
            throw new OversizeFrame(type, seq, length);
        }
        ByteBuffer payload = ByteBuffer.allocate((int) length);
        readFully(channel, payload);
        payload.flip();
        return new Frame(type, seq, payload);
    }

    /** Reads and drops {@code length} bytes (the payload of an oversize frame), keeping the stream in step. */
    static void skip(SocketChannel channel, long length) throws IOException {
        ByteBuffer scratch = ByteBuffer.allocate((int) Math.min(length, 1 << 20));
        long left = length;
        while (left > 0) {
            scratch.clear().limit((int) Math.min(scratch.capacity(), left));
            int read = channel.read(scratch);
            if (read < 0) {
                throw new EOFException("end of stream inside a frame");
            }
            left -= read;
        }
    }

    static void readFully(SocketChannel channel, ByteBuffer into) throws IOException {
        boolean started = into.position() > 0;
        while (into.hasRemaining()) {
            int read = channel.read(into);
            if (read < 0) {
                throw started
                        ? new ProtocolException("end of stream inside a frame")
                        : new EOFException("end of stream");
            }
            started = started || read > 0;
        }
    }

    /** The n fields of a block starting at the payload's position, as slices (no copy). */
    static ByteBuffer[] block(ByteBuffer payload, int n) throws ProtocolException {
        if (payload.remaining() < 4 * n) {
            throw new ProtocolException("block of " + n + " fields is truncated");
        }
        int[] lengths = new int[n];
        for (int i = 0; i < n; i++) {
            lengths[i] = payload.getInt();
        }
        ByteBuffer[] fields = new ByteBuffer[n];
        for (int i = 0; i < n; i++) {
            if (lengths[i] < 0 || lengths[i] > payload.remaining()) {
                throw new ProtocolException("field " + (i + 1) + " of " + n + " overruns its frame");
            }
            fields[i] = payload.slice(payload.position(), lengths[i]);
            payload.position(payload.position() + lengths[i]);
        }
        return fields;
    }

    static String utf8(ByteBuffer field) {
        return StandardCharsets.UTF_8.decode(field.duplicate()).toString();
    }

    /** The peer broke the protocol (truncated frame, unknown type, wrong seq): the worker is treated as crashed. */
    static class ProtocolException extends IOException {
        private static final long serialVersionUID = 1L;

        ProtocolException(String message) {
            super(message);
        }
    }

    /** A frame bigger than the allowed payload: its header was read, its payload not yet. */
    static final class OversizeFrame extends ProtocolException {
        private static final long serialVersionUID = 1L;
        final byte type;
        final long seq;
        final long length;

        OversizeFrame(byte type, long seq, long length) {
            super("frame of " + length + " bytes exceeds the limit");
            this.type = type;
            this.seq = seq;
            this.length = length;
        }
    }
}
