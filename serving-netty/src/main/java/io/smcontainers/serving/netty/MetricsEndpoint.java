package io.smcontainers.serving.netty;

import static java.nio.charset.StandardCharsets.US_ASCII;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last stage of the {@code SMC_METRICS_PORT} listener (after the HTTP codec and a small aggregator):
 * {@code GET|HEAD /metrics} answers the registry in the format the {@code Accept} header asks for (the library's
 * writers: Prometheus text 0.0.4 by default, OpenMetrics text on request); other paths 404, other methods 405. Scraping
 * (JVM MXBeans included) and encoding run on one dedicated thread, never on the event loop, which also keeps a
 * connection's answers in request order.
 */
@ChannelHandler.Sharable
final class MetricsEndpoint extends SimpleChannelInboundHandler<FullHttpRequest> {
    static final String PATH = "/metrics";
    private static final Logger log = LoggerFactory.getLogger(MetricsEndpoint.class);

    private final PrometheusRegistry registry;
    private final ExpositionFormats formats = ExpositionFormats.init();
    private final Executor scraper;

    MetricsEndpoint(PrometheusRegistry registry, Executor scraper) {
        this.registry = registry;
        this.scraper = scraper;
    }

    /**
     * A metrics connection's pipeline: {@code idle} (closed after {@code idle} without a read, as the serving port's
     * keep-alive), {@code codec} (request line 4 KiB, headers 8 KiB), {@code aggregator} (bodies up to 8 KiB), this.
     */
    ChannelInitializer<SocketChannel> initializer(Duration idle) {
        long idleMillis = idle.toMillis();
        MetricsEndpoint endpoint = this;
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel channel) {
                channel.pipeline()
                        .addLast("idle", new ReadTimeoutHandler(idleMillis, TimeUnit.MILLISECONDS))
                        .addLast("codec", new HttpServerCodec(4096, 8192, 8192))
                        .addLast("aggregator", new HttpObjectAggregator(8192))
                        .addLast("metrics", endpoint);
            }
        };
    }

    /** What the scraper thread needs of a request (the request itself is released when {@link #channelRead0} returns). */
    private record Scrape(String path, HttpMethod method, String accept, boolean keepAlive, boolean malformed) {}

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        String uri = request.uri();
        int query = uri.indexOf('?');
        String accept = request.headers().get(HttpHeaderNames.ACCEPT);
        Scrape scrape = new Scrape(
                query < 0 ? uri : uri.substring(0, query),
                request.method(),
                accept == null ? "" : accept,
                HttpUtil.isKeepAlive(request),
                request.decoderResult().isFailure());
        try {
            scraper.execute(() -> answer(ctx, scrape));
        } catch (RejectedExecutionException stopping) {
            ctx.close();
        }
    }

    private void answer(ChannelHandlerContext ctx, Scrape scrape) {
        if (scrape.malformed()) {
            write(ctx, text(HttpResponseStatus.BAD_REQUEST, "Invalid HTTP request\n"), false);
            return;
        }
        if (!scrape.path().equals(PATH)) {
            write(
                    ctx,
                    text(HttpResponseStatus.NOT_FOUND, "Not found: this port serves " + PATH + " only\n"),
                    scrape.keepAlive());
            return;
        }
        boolean head = scrape.method().equals(HttpMethod.HEAD);
        if (!head && !scrape.method().equals(HttpMethod.GET)) {
            FullHttpResponse response = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "Use GET or HEAD\n");
            response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            write(ctx, response, scrape.keepAlive());
            return;
        }
        ExpositionFormatWriter writer = formats.findWriter(scrape.accept());
        if (!writer.isAvailable()) {
            writer = formats.getPrometheusTextFormatWriter(); // protobuf asked for: not shipped
        }
        ByteBuf body = ctx.alloc().buffer(16384);
        try (ByteBufOutputStream out = new ByteBufOutputStream(body)) {
            writer.write(out, registry.scrape());
        } catch (IOException | RuntimeException e) {
            body.release();
            log.warn("Writing the metrics failed", e);
            write(
                    ctx,
                    text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "Writing the metrics failed: " + e + "\n"),
                    false);
            return;
        }
        int length = body.readableBytes();
        if (head) {
            body.release();
        }
        FullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.OK, head ? Unpooled.EMPTY_BUFFER : body);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, writer.getContentType())
                .setInt(HttpHeaderNames.CONTENT_LENGTH, length);
        write(ctx, response, scrape.keepAlive());
    }

    private static FullHttpResponse text(HttpResponseStatus status, String message) {
        byte[] body = message.getBytes(US_ASCII);
        FullHttpResponse response =
                new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        return response;
    }

    private static void write(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
        response.headers()
                .set(HttpHeaderNames.CONNECTION, keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
        if (keepAlive) {
            ctx.writeAndFlush(response, ctx.voidPromise());
        } else {
            ctx.writeAndFlush(response).addListener(LingeringClose.AFTER);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("Closing metrics connection {}: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
