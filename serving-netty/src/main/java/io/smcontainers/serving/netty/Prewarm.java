package io.smcontainers.serving.netty;

import static java.nio.charset.StandardCharsets.US_ASCII;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cold start: initialises what every server needs before it answers its first request (the native transport library,
 * the pooled allocator (no memory taken from it), the HTTP decoder and encoder, run once over a canned ping) on a daemon thread, while the caller
 * builds its injector and finds the model handler on the other core. Nothing here is kept: the server builds its own
 * pipeline; this only leaves the classes loaded and initialised. A failure is logged at debug and changes nothing (the
 * server does the same work again, and reports its own errors).
 */
final class Prewarm {
    private static final Logger log = LoggerFactory.getLogger(Prewarm.class);
    private static final byte[] PING = "GET /ping HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(US_ASCII);

    private Prewarm() {}

    static Thread start() {
        Thread thread = new Thread(Prewarm::run, "smc-prewarm");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    static void run() {
        try {
            Epoll.isAvailable();
            // The pooled allocator initialised without taking memory from its arenas; the codecs run on unpooled
            // buffers.
            ByteBufAllocator.DEFAULT.isDirectBufferPooled();
            EmbeddedChannel channel = new EmbeddedChannel(new HttpRequestDecoder(), new HttpResponseEncoder());
            channel.config().setAllocator(UnpooledByteBufAllocator.DEFAULT);
            try {
                channel.writeInbound(Unpooled.wrappedBuffer(PING));
                FullHttpResponse response = new DefaultFullHttpResponse(
                        HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(PING));
                response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, PING.length);
                channel.writeOutbound(response);
            } finally {
                channel.finishAndReleaseAll();
            }
        } catch (RuntimeException | LinkageError e) {
            log.debug(
                    "Preparing the HTTP stack ahead of the server failed; the server will do it itself: {}",
                    e.toString());
        }
    }
}
