package io.smcontainers.serving.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.EOFException;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The worker frame layout (python-workers spec 3.5) over a real Unix socket pair. */
class PythonFramesTest {
    @Test
    void framesAndBlocksRoundTrip() throws Exception {
        try (Pair pair = Pair.open()) {
            ByteBuffer a = ByteBuffer.wrap("application/json".getBytes(StandardCharsets.UTF_8));
            ByteBuffer b = ByteBuffer.allocate(0);
            ByteBuffer c = ByteBuffer.wrap(new byte[] {1, 2, 3});
            PythonFrames.write(
                    pair.left,
                    PythonFrames.INVOKE,
                    42,
                    PythonFrames.blockLengths(a, b, c),
                    a.duplicate(),
                    b.duplicate(),
                    c.duplicate());
            PythonFrames.Frame frame = PythonFrames.read(pair.right, 1 << 20);
            assertEquals(PythonFrames.INVOKE, frame.type());
            assertEquals(42, frame.seq());
            assertEquals(12 + 16 + 3, frame.payload().remaining());
            ByteBuffer[] fields = PythonFrames.block(frame.payload(), 3);
            assertEquals("application/json", PythonFrames.utf8(fields[0]));
            assertEquals(0, fields[1].remaining());
            assertEquals(3, fields[2].get(2));
        }
    }

    @Test
    void theHeaderIsSixteenBigEndianBytes() {
        ByteBuffer header = PythonFrames.header(PythonFrames.PING, 0x0102030405060708L, 0);
        byte[] bytes = new byte[16];
        header.get(bytes);
        assertEquals(
                "0000000c03000000" + "0102030405060708",
                java.util.HexFormat.of().formatHex(bytes));
    }

    @Test
    void truncationOversizeAndOverrunsAreProtocolErrors() throws Exception {
        try (Pair pair = Pair.open()) {
            PythonFrames.write(pair.left, PythonFrames.RESULT, 1, ByteBuffer.wrap(new byte[100]));
            PythonFrames.OversizeFrame oversize =
                    assertThrows(PythonFrames.OversizeFrame.class, () -> PythonFrames.read(pair.right, 99));
            assertEquals(100, oversize.length);
            PythonFrames.skip(pair.right, oversize.length);
            PythonFrames.write(pair.left, PythonFrames.PONG, 2);
            assertEquals(2, PythonFrames.read(pair.right, 0).seq(), "the stream stays in step after skipping");

            ByteBuffer header = PythonFrames.header(PythonFrames.RESULT, 3, 10);
            pair.left.write(header);
            pair.left.write(ByteBuffer.wrap(new byte[4]));
            pair.left.shutdownOutput();
            assertThrows(
                    PythonFrames.ProtocolException.class,
                    () -> PythonFrames.read(pair.right, 1 << 20),
                    "end of stream inside a frame");
        }
        try (Pair pair = Pair.open()) {
            pair.left.shutdownOutput();
            assertThrows(
                    EOFException.class, () -> PythonFrames.read(pair.right, 1 << 20), "a clean end between frames");
        }
        ByteBuffer lying = ByteBuffer.allocate(8).putInt(100).putInt(0).flip();
        assertThrows(
                PythonFrames.ProtocolException.class,
                () -> PythonFrames.block(lying, 2),
                "a field longer than its frame");
    }

    /** A connected Unix socket pair in a temp dir. */
    private record Pair(Path dir, SocketChannel left, SocketChannel right) implements AutoCloseable {
        static Pair open() throws Exception {
            Path dir = Files.createTempDirectory("smc-frames");
            try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                server.bind(java.net.UnixDomainSocketAddress.of(dir.resolve("s")));
                SocketChannel left = SocketChannel.open(server.getLocalAddress());
                return new Pair(dir, left, server.accept());
            }
        }

        @Override
        public void close() throws java.io.IOException {
            left.close();
            right.close();
            Files.deleteIfExists(dir.resolve("s"));
            Files.deleteIfExists(dir);
        }
    }
}
