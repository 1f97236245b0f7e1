package io.smcontainers.serving.netty;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/**
 * Builds each connection's pipeline, named stages in order: {@code idle} (keep-alive timeout), {@code codec} (request
 * line 8 KiB, headers 16 KiB), {@code aggregator} (bounded by the payload limit), {@code flow-control} (one request at
 * a time while reads are paused, so pipelined requests are answered in order), {@code router}.
 */
final class ServingChannelInitializer extends ChannelInitializer<SocketChannel> {
    private final long keepAliveSeconds;
    private final int maxPayloadBytes;
    private final Responses responses;
    private final RequestRouter router;
    private final ChannelGroup channels;

    ServingChannelInitializer(long keepAliveSeconds, int maxPayloadBytes, Responses responses, RequestRouter router, ChannelGroup channels) {
        this.keepAliveSeconds = keepAliveSeconds;
        this.maxPayloadBytes = maxPayloadBytes;
        this.responses = responses;
        this.router = router;
        this.channels = channels;
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        channels.add(channel);
        channel.pipeline()
                .addLast("idle", new IdleStateHandler(0, 0, keepAliveSeconds, TimeUnit.SECONDS))
                .addLast("codec", new HttpServerCodec(new HttpDecoderConfig()
                        .setMaxInitialLineLength(8192)
                        .setMaxHeaderSize(16384)
                        .setMaxChunkSize(65536)))
                .addLast("aggregator", new PayloadAggregator(maxPayloadBytes, responses))
                .addLast("flow-control", new FlowControlHandler())
                .addLast("router", router);
    }
}
