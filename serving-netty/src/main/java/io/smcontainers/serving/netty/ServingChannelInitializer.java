package io.smcontainers.serving.netty;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;

/**
 * Builds each connection's pipeline, named stages in order: {@code keep-alive} (idle timeout), {@code decoder} (request
 * line 8 KiB, headers 16 KiB), {@code in-order} (holds pipelined requests while one is in flight, so they are answered
 * in order), {@code fast-path} (the healthy ping and execution parameters, before any aggregation; it writes encoded
 * bytes, so it sits before the {@code encoder}), {@code encoder}, {@code aggregator} (bounded by the payload limit),
 * {@code router}.
 */
final class ServingChannelInitializer extends ChannelInitializer<SocketChannel> {
    private final long keepAliveSeconds;
    private final int maxPayloadBytes;
    private final Responses responses;
    private final ServerState state;
    private final RequestRouter router;
    private final ChannelGroup channels;

    ServingChannelInitializer(long keepAliveSeconds, int maxPayloadBytes, Responses responses, ServerState state, RequestRouter router,
            ChannelGroup channels) {
        this.keepAliveSeconds = keepAliveSeconds;
        this.maxPayloadBytes = maxPayloadBytes;
        this.responses = responses;
        this.state = state;
        this.router = router;
        this.channels = channels;
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        channels.add(channel);
        channel.pipeline()
                .addLast(KeepAliveTimeout.NAME, new KeepAliveTimeout(keepAliveSeconds))
                .addLast("decoder", new HttpRequestDecoder(new HttpDecoderConfig()
                        .setMaxInitialLineLength(8192)
                        .setMaxHeaderSize(16384)
                        .setMaxChunkSize(65536)))
                .addLast(InOrder.NAME, new InOrder())
                .addLast(FastPath.NAME, new FastPath(state, responses))
                .addLast("encoder", new HttpResponseEncoder())
                .addLast("aggregator", new PayloadAggregator(maxPayloadBytes, responses))
                .addLast("router", router);
    }
}
