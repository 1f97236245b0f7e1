package io.smcontainers.serving.netty;

import static java.nio.charset.StandardCharsets.US_ASCII;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.nio.ByteBuffer;

/**
 * A plain 200 answer (no reason phrase, no handler headers, a printable-ASCII content type and request id: an
 * invocation's, the healthy ping and the execution parameters of {@link FastPath}) written as bytes, the same bytes {@code HttpResponseEncoder} writes for the message {@link Responses} would
 * build: status line, {@code content-type}, {@code x-request-id}, {@code content-length}, {@code connection}, and the
 * body in the same buffer when it is at most {@link #COPY_LIMIT} bytes (as the encoder copies small bodies), else as a
 * second buffer viewing the handler's bytes. No header object, no validation pass, no encoder state.
 */
final class PreEncodedAnswer {
    /** The encoder copies a body of up to 128 bytes into the header buffer (HttpObjectEncoder's threshold). */
    static final int COPY_LIMIT = 128;

    private static final byte[] OK_CONTENT_TYPE = "HTTP/1.1 200 OK\r\ncontent-type: ".getBytes(US_ASCII);
    private static final byte[] REQUEST_ID = "\r\nx-request-id: ".getBytes(US_ASCII);
    private static final byte[] CONTENT_LENGTH = "\r\ncontent-length: ".getBytes(US_ASCII);
    private static final byte[] KEEP_ALIVE = "\r\nconnection: keep-alive\r\n\r\n".getBytes(US_ASCII);
    private static final byte[] CLOSE = "\r\nconnection: close\r\n\r\n".getBytes(US_ASCII);

    private PreEncodedAnswer() {}

    /** Whether {@code value} can go into a header as it is: printable ASCII only (what the encoder writes unchanged). */
    static boolean plain(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    /**
     * Writes and flushes the answer from {@code ctx}, which must sit before the HTTP encoder: the head with the body
     * copied in when it is small, else the head and then the body as a view of {@code body}'s bytes.
     */
    static ChannelFuture write(
            ChannelHandlerContext ctx,
            String contentType,
            String requestId,
            ByteBuffer body,
            boolean keepAlive,
            ChannelPromise promise) {
        ByteBuf head = head(ctx.alloc(), contentType, requestId, body, keepAlive);
        if (body.remaining() <= COPY_LIMIT) {
            return ctx.writeAndFlush(head, promise);
        }
        ctx.write(head, ctx.voidPromise());
        return ctx.writeAndFlush(Unpooled.wrappedBuffer(body), promise);
    }

    private static ByteBuf head(
            ByteBufAllocator alloc, String contentType, String requestId, ByteBuffer body, boolean keepAlive) {
        int length = body.remaining();
        boolean copy = length <= COPY_LIMIT;
        ByteBuf out = alloc.directBuffer(OK_CONTENT_TYPE.length
                + contentType.length()
                + REQUEST_ID.length
                + requestId.length()
                + CONTENT_LENGTH.length
                + 10
                + KEEP_ALIVE.length
                + (copy ? length : 0));
        out.writeBytes(OK_CONTENT_TYPE).writeCharSequence(contentType, US_ASCII);
        out.writeBytes(REQUEST_ID).writeCharSequence(requestId, US_ASCII);
        out.writeBytes(CONTENT_LENGTH).writeCharSequence(Integer.toString(length), US_ASCII);
        out.writeBytes(keepAlive ? KEEP_ALIVE : CLOSE);
        if (copy) {
            out.writeBytes(body.duplicate());
        }
        return out;
    }
}
