package io.smcontainers.serving.netty;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.smcontainers.serving.netty.testing.LeakRecorder;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link InOrder} on an embedded channel: what it holds, when it replays, and what it tells the connection. */
class InOrderTest {
    static {
        LeakRecorder.install();
    }

    private final EmbeddedConnection embedded = new EmbeddedConnection();

    @AfterEach
    void noLeaks() {
        embedded.channel.finishAndReleaseAll();
        assertEquals(List.of(), LeakRecorder.collectLeaks());
    }

    @Test
    void requestsArrivingWhileOneIsInFlightWaitAndReplayInOrderOnceItIsAnswered() {
        embedded.add(embedded.connection.inOrder());
        HttpRequest first = EmbeddedConnection.request(HttpMethod.POST, "/invocations");
        embedded.channel.writeInbound(first, LastHttpContent.EMPTY_LAST_CONTENT);
        assertSame(first, embedded.channel.readInbound());
        assertSame(LastHttpContent.EMPTY_LAST_CONTENT, embedded.channel.readInbound());
        Exchange inFlight = embedded.exchange("/invocations");
        embedded.connection.begin(inFlight);

        HttpRequest second = EmbeddedConnection.request(HttpMethod.GET, "/ping");
        LastHttpContent secondEnd = new DefaultLastHttpContent(Unpooled.copiedBuffer("x", US_ASCII));
        embedded.channel.writeInbound(second, secondEnd);
        assertNull(embedded.channel.readInbound(), "held while the first is in flight");
        assertEquals(2, embedded.connection.inOrder().held());
        assertFalse(embedded.channel.config().isAutoRead(), "reading pauses while parts are held");

        embedded.connection.answered(embedded.exchange("/other"));
        assertNull(embedded.channel.readInbound(), "another exchange's answer does not free the connection");

        embedded.connection.answered(inFlight);
        assertSame(second, embedded.channel.readInbound());
        assertSame(secondEnd, embedded.channel.readInbound());
        secondEnd.release();
        assertTrue(embedded.channel.config().isAutoRead(), "reading resumes once nothing is held");
        assertFalse(embedded.connection.busy());
    }

    @Test
    void requestsWaitWhileTheChannelIsAboveItsHighWaterMark() {
        embedded.channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(8, 16));
        embedded.add(embedded.connection.inOrder());
        embedded.channel.write(Unpooled.copiedBuffer("an answer the client has not read yet", US_ASCII));
        assertFalse(embedded.channel.isWritable());

        HttpRequest ping = EmbeddedConnection.request(HttpMethod.GET, "/ping");
        embedded.channel.writeInbound(ping, LastHttpContent.EMPTY_LAST_CONTENT);
        assertNull(embedded.channel.readInbound(), "not passed on while the channel is not writable");
        assertFalse(embedded.channel.config().isAutoRead());

        embedded.channel.flush();
        embedded.channel.runPendingTasks();
        assertTrue(embedded.channel.isWritable());
        assertSame(ping, embedded.channel.readInbound(), "replayed once writable");
        assertSame(LastHttpContent.EMPTY_LAST_CONTENT, embedded.channel.readInbound());
        assertTrue(embedded.channel.config().isAutoRead());
        ((ByteBuf) embedded.channel.readOutbound()).release();
    }

    @Test
    void heldPartsAreReleasedWhenTheConnectionCloses() {
        embedded.add(embedded.connection.inOrder());
        embedded.connection.begin(embedded.exchange("/invocations"));
        ByteBuf body = Unpooled.copiedBuffer("held body", US_ASCII);
        embedded.channel.writeInbound(
                EmbeddedConnection.request(HttpMethod.POST, "/invocations"), new DefaultLastHttpContent(body));
        assertEquals(1, body.refCnt());
        embedded.channel.close();
        assertEquals(0, body.refCnt());
    }

    @Test
    void tellsTheConnectionWhereTheDecoderIs() {
        embedded.add(embedded.connection.inOrder());
        assertTrue(embedded.connection.betweenRequests());
        HttpRequest request = EmbeddedConnection.request(HttpMethod.GET, "/ping");
        embedded.channel.writeInbound(request);
        assertFalse(embedded.connection.betweenRequests(), "a request's head was read, its end not yet");
        embedded.channel.writeInbound(LastHttpContent.EMPTY_LAST_CONTENT);
        assertTrue(embedded.connection.betweenRequests());
        embedded.channel.readInbound();
        embedded.channel.readInbound();
    }
}
