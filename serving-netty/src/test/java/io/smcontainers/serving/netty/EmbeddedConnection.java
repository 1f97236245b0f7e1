package io.smcontainers.serving.netty;

import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.time.Duration;

/** A {@link Connection} on an {@link EmbeddedChannel} (virtual time), for unit tests of the pipeline stages. */
final class EmbeddedConnection {
    final EmbeddedChannel channel;
    final Connection connection;
    final Responses responses = new Responses(() -> false, false);

    EmbeddedConnection(Duration keepAlive, Duration headerReadTimeout, int bodyMinRate) {
        channel = new EmbeddedChannel();
        channel.freezeTime();
        connection = new Connection(channel, keepAlive, headerReadTimeout, bodyMinRate, responses);
    }

    EmbeddedConnection(Duration keepAlive, Duration headerReadTimeout) {
        this(keepAlive, headerReadTimeout, 500);
    }

    EmbeddedConnection() {
        this(Duration.ofSeconds(60), Duration.ofSeconds(60));
    }

    EmbeddedConnection add(ChannelHandler... handlers) {
        channel.pipeline().addLast(handlers);
        return this;
    }

    static HttpRequest request(HttpMethod method, String uri) {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, uri);
        request.headers().set("Host", "test");
        return request;
    }

    /** An exchange of this connection (as the router would make for a request). */
    Exchange exchange(String uri) {
        return Exchange.of(connection, request(HttpMethod.POST, uri));
    }
}
