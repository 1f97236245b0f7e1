package io.smcontainers.serving.netty;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;

/**
 * Builds each connection's {@link Connection} and pipeline, named stages in order: {@code keep-alive} (idle timeout),
 * {@code header-timeout} (slowloris), {@code decoder} (request line 8 KiB, headers 16 KiB), {@code in-order} (holds
 * pipelined requests while one is in flight or the client does not read its answers, so they are answered in order and
 * memory stays bounded), {@code fast-path} (the healthy ping and execution parameters, before any aggregation; it writes
 * encoded bytes, so it sits before the {@code encoder}), {@code encoder}, {@code aggregator} (bounded by the payload
 * limit), {@code router}.
 */
final class ServingChannelInitializer extends ChannelInitializer<SocketChannel> {
    private final Settings settings;
    private final Responses responses;
    private final ServerState state;
    private final InvocationDispatcher dispatcher;
    private final Optional<ModelRegistry> registry;
    private final ExecutorService management;
    private final Set<Connection> connections;

    /**
     * The per-connection limits.
     *
     * @param keepAlive the idle timeout
     * @param headerReadTimeout the time allowed for a request line and headers
     * @param bodyMinRate the average rate in bytes per second a body must keep after that time (0: bodies not timed)
     * @param maxPayloadBytes the body limit
     */
    record Settings(Duration keepAlive, Duration headerReadTimeout, int bodyMinRate, int maxPayloadBytes) {}

    ServingChannelInitializer(
            Settings settings,
            Responses responses,
            ServerState state,
            InvocationDispatcher dispatcher,
            Optional<ModelRegistry> registry,
            ExecutorService management,
            Set<Connection> connections) {
        this.settings = settings;
        this.responses = responses;
        this.state = state;
        this.dispatcher = dispatcher;
        this.registry = registry;
        this.management = management;
        this.connections = connections;
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        Connection connection = new Connection(
                channel, settings.keepAlive(), settings.headerReadTimeout(), settings.bodyMinRate(), responses);
        connections.add(connection);
        channel.closeFuture().addListener(closed -> connections.remove(connection));
        channel.pipeline()
                .addLast(ConnectionTimer.KEEP_ALIVE, connection.keepAliveTimeout())
                .addLast(ConnectionTimer.HEADER_READ, connection.headerReadTimeout())
                .addLast(
                        "decoder",
                        new HttpRequestDecoder(new HttpDecoderConfig()
                                .setMaxInitialLineLength(8192)
                                .setMaxHeaderSize(16384)
                                .setMaxChunkSize(65536)))
                .addLast(InOrder.NAME, connection.inOrder())
                .addLast(FastPath.NAME, new FastPath(state, responses))
                .addLast("encoder", new HttpResponseEncoder())
                .addLast(
                        "aggregator",
                        new PayloadAggregator(connection, settings.maxPayloadBytes(), responses, registry.isPresent()))
                .addLast("router", new RequestRouter(connection, state, responses, dispatcher, registry, management));
    }
}
