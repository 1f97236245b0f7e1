package io.smcontainers.serving.netty;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.smcontainers.framework.spi.InvocationResponse;
import io.smcontainers.serving.netty.testing.LeakRecorder;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link FastPath} on an embedded channel: the exact bytes it writes, and everything it leaves to the router. */
class FastPathTest {
    static {
        LeakRecorder.install();
    }

    private final EmbeddedConnection embedded = new EmbeddedConnection();
    private final ServerState state = new ServerState();

    @AfterEach
    void noLeaks() {
        embedded.channel.finishAndReleaseAll();
        assertEquals(List.of(), LeakRecorder.collectLeaks());
    }

    private String answer(HttpRequest request) {
        embedded.channel.writeInbound(request, LastHttpContent.EMPTY_LAST_CONTENT);
        assertNull(embedded.channel.readInbound(), "answered here: neither the request nor its end go on");
        ByteBuf out = embedded.channel.readOutbound();
        try {
            return out.toString(US_ASCII);
        } finally {
            out.release();
        }
    }

    private void passesOn(HttpRequest request) {
        embedded.channel.writeInbound(request);
        assertSame(request, embedded.channel.readInbound());
        assertNull(embedded.channel.readOutbound());
    }

    @Test
    void theHealthyPingAndExecutionParametersArePreEncoded() {
        state.ready(Optional.empty(), Optional.of("{\"MaxConcurrentTransforms\": 1}"), Optional.empty());
        embedded.add(new FastPath(state, embedded.responses));
        HttpRequest ping = EmbeddedConnection.request(HttpMethod.GET, "/ping");
        ping.headers().set("X-Amzn-SageMaker-Inference-Id", "id-1");
        assertEquals(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-request-id: id-1\r\ncontent-length: 0\r\n"
                        + "connection: keep-alive\r\n\r\n",
                answer(ping));
        HttpRequest parameters = EmbeddedConnection.request(HttpMethod.GET, "/execution-parameters");
        parameters.headers().set("X-Amzn-SageMaker-Inference-Id", "id-2");
        assertEquals(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-request-id: id-2\r\ncontent-length: 30\r\n"
                        + "connection: keep-alive\r\n\r\n{\"MaxConcurrentTransforms\": 1}",
                answer(parameters));
        assertTrue(embedded.channel.isOpen());
    }

    @Test
    void aPingAskingToCloseClosesAfterItsAnswer() {
        state.ready(Optional.empty(), Optional.empty(), Optional.empty());
        embedded.add(new FastPath(state, embedded.responses));
        HttpRequest ping = EmbeddedConnection.request(HttpMethod.HEAD, "/ping");
        ping.headers().set("Connection", "close");
        assertTrue(answer(ping).contains("connection: close\r\n"));
        assertFalse(embedded.channel.isOpen());
    }

    @Test
    void pingsGoToTheRouterWhenTheHandlerHasAHealthCheck() {
        HealthProbe probe =
                new HealthProbe(() -> InvocationResponse.ofText("", "application/json"), Duration.ofSeconds(1));
        try {
            state.ready(Optional.empty(), Optional.empty(), Optional.of(probe));
            embedded.add(new FastPath(state, embedded.responses));
            passesOn(EmbeddedConnection.request(HttpMethod.GET, "/ping"));
            passesOn(EmbeddedConnection.request(HttpMethod.HEAD, "/ping"));
        } finally {
            probe.close();
        }
    }

    @Test
    void everythingElseGoesOnUnchanged() {
        embedded.add(new FastPath(state, embedded.responses));
        passesOn(EmbeddedConnection.request(HttpMethod.GET, "/ping"));
        state.ready(Optional.empty(), Optional.empty(), Optional.empty());
        passesOn(EmbeddedConnection.request(HttpMethod.GET, "/execution-parameters"));
        passesOn(EmbeddedConnection.request(HttpMethod.POST, "/invocations"));
        passesOn(EmbeddedConnection.request(HttpMethod.GET, "/ping?x=1"));
        passesOn(new DefaultHttpRequest(HttpVersion.valueOf("HTTP/9.9"), HttpMethod.GET, "/ping"));
        HttpRequest twoHosts = EmbeddedConnection.request(HttpMethod.GET, "/ping");
        twoHosts.headers().add("Host", "other");
        passesOn(twoHosts);
        HttpRequest withBody = EmbeddedConnection.request(HttpMethod.GET, "/ping");
        withBody.headers().set("Content-Length", "3");
        passesOn(withBody);
        HttpRequest unprintableId = EmbeddedConnection.request(HttpMethod.GET, "/ping");
        unprintableId.headers().set("X-Amzn-SageMaker-Inference-Id", "caf\u00e9");
        passesOn(unprintableId);
        state.phase(ServerState.Phase.DRAINING);
        passesOn(EmbeddedConnection.request(HttpMethod.GET, "/ping"));
    }
}
