package io.smcontainers.serving.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The router's side of a handler's health check: a ping answered from the health thread keeps the connection busy, so
 * a request pipelined behind it waits in {@link InOrder} instead of overtaking it (or sharing its call).
 */
class HealthPingTest {
    @Test
    void aPingWaitingOnTheHealthCheckHoldsThePipelinedRequestsBehindIt() throws Exception {
        BlockingCheck check = new BlockingCheck();
        HealthProbe probe = new HealthProbe(check, Duration.ofSeconds(30));
        EmbeddedConnection embedded = new EmbeddedConnection();
        try {
            ServerState state = new ServerState();
            state.ready(Optional.empty(), Optional.empty(), Optional.of(probe));
            // the ping path of the router uses neither the dispatcher nor the management executor
            embedded.add(
                    embedded.connection.inOrder(),
                    new RequestRouter(embedded.connection, state, embedded.responses, null, Optional.empty(), null));
            embedded.channel.writeInbound(ping(HttpMethod.HEAD));
            assertTrue(check.entered.await(30, TimeUnit.SECONDS));
            assertTrue(embedded.connection.busy(), "the ping is in flight until its answer is written");
            embedded.channel.writeInbound(ping(HttpMethod.GET));
            assertEquals(1, check.calls.get(), "the pipelined GET is held, not sent to the running call");
            check.release.countDown();
            // the HEAD's answer frees the connection, the GET goes on to a call of its own and is answered too
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while ((check.calls.get() < 2 || embedded.connection.busy()) && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertEquals(2, check.calls.get());
            // in order: the HEAD's answer (a response message: HEAD never takes the pre-encoded path), then the GET's
            Object head = embedded.channel.readOutbound();
            assertEquals(200, ((FullHttpResponse) head).status().code());
            ReferenceCountUtil.release(head);
            ByteBuf get = embedded.channel.readOutbound();
            assertTrue(get.toString(StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200 OK\r\n"));
            get.release();
        } finally {
            check.release.countDown();
            probe.close();
            embedded.channel.finishAndReleaseAll();
        }
    }

    private static DefaultFullHttpRequest ping(HttpMethod method) {
        DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, "/ping");
        request.headers().set("Host", "test");
        return request;
    }
}
