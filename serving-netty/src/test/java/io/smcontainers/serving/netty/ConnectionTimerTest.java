package io.smcontainers.serving.netty;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.smcontainers.serving.netty.testing.LeakRecorder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link ConnectionTimer} in its two uses (keep-alive, header read) on an embedded channel, in virtual time. */
class ConnectionTimerTest {
    static {
        LeakRecorder.install();
    }

    private EmbeddedConnection embedded;

    @AfterEach
    void noLeaks() {
        embedded.channel.finishAndReleaseAll();
        assertEquals(List.of(), LeakRecorder.collectLeaks());
    }

    /** A connection with a 5 s header timeout and bodies timed at {@code rate} bytes/s, sent the head of a POST. */
    private void bodyAfterHead(int rate, int contentLength) {
        embedded = new EmbeddedConnection(Duration.ofSeconds(600), Duration.ofSeconds(5), rate);
        embedded.add(embedded.connection.headerReadTimeout(), new HttpRequestDecoder(), embedded.connection.inOrder());
        embedded.channel.writeInbound(Unpooled.copiedBuffer(
                "POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Length: " + contentLength + "\r\n\r\n", US_ASCII));
    }

    private void advance(long seconds) {
        embedded.channel.advanceTimeBy(seconds, TimeUnit.SECONDS);
        embedded.channel.runScheduledPendingTasks();
    }

    @Test
    void anIdleConnectionClosesAfterTheTimeoutAndActivityPostponesIt() {
        embedded = new EmbeddedConnection(Duration.ofSeconds(10), Duration.ofSeconds(60));
        embedded.add(embedded.connection.keepAliveTimeout());
        advance(6);
        embedded.channel.writeInbound(Unpooled.copiedBuffer("G", US_ASCII));
        ((ByteBuf) embedded.channel.readInbound()).release();
        advance(6);
        assertTrue(embedded.channel.isOpen(), "a read 6 s ago: not idle yet");
        advance(5);
        assertFalse(embedded.channel.isOpen(), "idle for 11 s");
    }

    @Test
    void aConnectionWithARequestInFlightIsNeverIdle() {
        embedded = new EmbeddedConnection(Duration.ofSeconds(10), Duration.ofSeconds(60));
        embedded.add(embedded.connection.keepAliveTimeout());
        Exchange inFlight = embedded.exchange("/invocations");
        embedded.connection.begin(inFlight);
        advance(30);
        assertTrue(embedded.channel.isOpen());
        embedded.connection.answered(inFlight);
        advance(9);
        assertTrue(embedded.channel.isOpen(), "the flushed answer counts as activity");
        advance(11);
        assertFalse(embedded.channel.isOpen());
    }

    @Test
    void headersDrippingInPastTheHeaderReadTimeoutAre408AndClose() {
        embedded = new EmbeddedConnection(Duration.ofSeconds(60), Duration.ofSeconds(5));
        embedded.add(
                embedded.connection.keepAliveTimeout(),
                embedded.connection.headerReadTimeout(),
                new HttpRequestDecoder(),
                embedded.connection.inOrder());
        embedded.channel.writeInbound(Unpooled.copiedBuffer("GET /ping HTTP/1.1\r\nX-Slow: ", US_ASCII));
        for (int i = 0; i < 4; i++) {
            advance(1);
            embedded.channel.writeInbound(Unpooled.copiedBuffer("a", US_ASCII));
        }
        assertTrue(embedded.channel.isOpen());
        advance(2);
        FullHttpResponse timedOut = embedded.channel.readOutbound();
        assertEquals(408, timedOut.status().code());
        assertEquals("close", timedOut.headers().get("Connection"));
        assertTrue(timedOut.content().toString(US_ASCII).contains("SMC_HEADER_READ_TIMEOUT_SECONDS"));
        timedOut.release();
        assertFalse(embedded.channel.isOpen());
    }

    @Test
    void withBodiesUntimedTheHeaderReadTimeoutCoversOnlyTheHeadOfEachRequest() {
        embedded = new EmbeddedConnection(Duration.ofSeconds(60), Duration.ofSeconds(5), 0);
        embedded.add(embedded.connection.headerReadTimeout(), new HttpRequestDecoder(), embedded.connection.inOrder());
        embedded.channel.writeInbound(
                Unpooled.copiedBuffer("POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\na", US_ASCII));
        advance(10);
        assertTrue(embedded.channel.isOpen(), "the body is not under the header timeout");
        embedded.channel.writeInbound(Unpooled.copiedBuffer("bc", US_ASCII));
        advance(30);
        assertTrue(embedded.channel.isOpen(), "between requests nothing runs");
        embedded.channel.writeInbound(Unpooled.copiedBuffer("GET /ping HTTP/1.1\r\n", US_ASCII));
        embedded.connection.begin(embedded.exchange("/invocations"));
        advance(10);
        assertTrue(embedded.channel.isOpen(), "time while a request is in flight does not count");
        Object part;
        while ((part = embedded.channel.readInbound()) != null) {
            io.netty.util.ReferenceCountUtil.release(part);
        }
    }

    @Test
    void pausedReadsHoldTheHeaderDeadlineButNotTheKeepAlive() {
        embedded = new EmbeddedConnection(Duration.ofSeconds(10), Duration.ofSeconds(5));
        embedded.add(embedded.connection.headerReadTimeout(), new HttpRequestDecoder(), embedded.connection.inOrder());
        embedded.channel.writeInbound(Unpooled.copiedBuffer("GET /ping HTTP/1.1\r\nX-Slow: ", US_ASCII));
        embedded.channel.config().setAutoRead(false);
        advance(20);
        assertTrue(embedded.channel.isOpen(), "the rest of the head cannot arrive while reads are paused");
        assertNull(embedded.channel.readOutbound());
        embedded.channel.config().setAutoRead(true);
        advance(5);
        FullHttpResponse timedOut = embedded.channel.readOutbound();
        assertEquals(408, timedOut.status().code());
        timedOut.release();
        assertFalse(embedded.channel.isOpen());

        EmbeddedConnection idle = new EmbeddedConnection(Duration.ofSeconds(10), Duration.ofSeconds(5));
        idle.add(idle.connection.keepAliveTimeout());
        idle.channel.config().setAutoRead(false);
        idle.channel.advanceTimeBy(11, TimeUnit.SECONDS);
        idle.channel.runScheduledPendingTasks();
        assertFalse(idle.channel.isOpen(), "a client that reads no answers is idle: closed at the keep-alive timeout");
        idle.channel.finishAndReleaseAll();
    }

    @Test
    void theHeaderDeadlineCountsFromTheFirstByteNotTheLast() {
        embedded = new EmbeddedConnection(Duration.ofSeconds(60), Duration.ofSeconds(5));
        embedded.add(embedded.connection.headerReadTimeout(), new HttpRequestDecoder(), embedded.connection.inOrder());
        embedded.channel.writeInbound(Unpooled.copiedBuffer("G", US_ASCII));
        advance(4);
        embedded.channel.writeInbound(Unpooled.copiedBuffer("ET /ping HTTP/1.1\r\n", US_ASCII));
        advance(1);
        FullHttpResponse timedOut = embedded.channel.readOutbound();
        assertEquals(408, timedOut.status().code(), "a read does not postpone the header deadline");
        timedOut.release();
    }

    @Test
    void anExpiryDuringABusyPeriodWaitsForItsEnd() {
        List<String> fired = new java.util.ArrayList<>();
        embedded = new EmbeddedConnection();
        ConnectionTimer timer = new ConnectionTimer(
                embedded.connection,
                new ConnectionTimer.Rules(
                        TimeUnit.SECONDS.toNanos(3),
                        ConnectionTimer.Start.CONNECTED,
                        false,
                        false,
                        ctx -> fired.add("expired")));
        embedded.add(timer);
        Exchange inFlight = embedded.exchange("/invocations");
        embedded.connection.begin(inFlight);
        advance(3);
        advance(1);
        assertEquals(List.of(), fired, "never while a request is in flight");
        embedded.connection.answered(inFlight);
        advance(1);
        assertEquals(List.of(), fired, "found busy at 3 s, re-armed for a whole timeout");
        advance(1);
        assertEquals(List.of("expired"), fired);
        timer.stop();
        advance(10);
        assertEquals(List.of("expired"), fired, "fires once");
    }

    @Test
    void aLaterRequestsHeaderDeadlineCountsFromItsOwnFirstByteThoughTheCheckIsReused() {
        embedded = new EmbeddedConnection(Duration.ofSeconds(600), Duration.ofSeconds(5));
        embedded.add(embedded.connection.headerReadTimeout(), new HttpRequestDecoder(), embedded.connection.inOrder());
        embedded.channel.writeInbound(Unpooled.copiedBuffer("GET /ping HTTP/1.1\r\nHost: x\r\n\r\n", US_ASCII));
        drainInbound();
        advance(3);
        // the first request's check (due at 5 s) is still pending: the next head starts at 3 s and may take until 8 s
        embedded.channel.writeInbound(Unpooled.copiedBuffer("GET /ping HTTP/1.1\r\nX-Slow: ", US_ASCII));
        advance(3);
        assertTrue(embedded.channel.isOpen(), "3 s into the second head: the reused check re-armed for the rest");
        assertNull(embedded.channel.readOutbound());
        advance(3);
        FullHttpResponse timedOut = embedded.channel.readOutbound();
        assertEquals(408, timedOut.status().code(), "6 s into the second head");
        timedOut.release();
        assertFalse(embedded.channel.isOpen());
    }

    @Test
    void requestsOnAKeptAliveConnectionScheduleNoNewCheckEach() {
        embedded = new EmbeddedConnection(Duration.ofSeconds(600), Duration.ofSeconds(5));
        embedded.add(embedded.connection.headerReadTimeout(), new HttpRequestDecoder(), embedded.connection.inOrder());
        for (int i = 0; i < 100; i++) {
            embedded.channel.writeInbound(Unpooled.copiedBuffer("GET /ping HTTP/1.1\r\nHost: x\r\n\r\n", US_ASCII));
            drainInbound();
        }
        // one check, scheduled by the first request and kept (not a schedule and a cancel per request): at its time
        // it finds no head being read and does nothing
        assertTrue(embedded.channel.runScheduledPendingTasks() > 0, "the first request's check is still pending");
        advance(5);
        assertTrue(embedded.channel.isOpen());
        assertNull(embedded.channel.readOutbound());
        assertEquals(-1, embedded.channel.runScheduledPendingTasks(), "nothing is scheduled once the check has run");
    }

    @Test
    void aBodyMustKeepTheMinimumRateAfterItsFirstTimeout() {
        // 5 s, then 100 bytes/s on average: 300 bytes earn 3 s more, so the body is timed out 8 s after its head
        bodyAfterHead(100, 100000);
        for (int i = 0; i < 3; i++) {
            advance(2);
            embedded.channel.writeInbound(Unpooled.wrappedBuffer(new byte[100]));
        }
        assertTrue(embedded.channel.isOpen(), "6 s after the head, 300 bytes in: allowed until 8 s");
        assertNull(embedded.channel.readOutbound());
        advance(1);
        assertTrue(embedded.channel.isOpen(), "7 s");
        advance(2);
        FullHttpResponse timedOut = embedded.channel.readOutbound();
        assertEquals(408, timedOut.status().code());
        assertTrue(
                timedOut.content().toString(US_ASCII).contains("SMC_BODY_MIN_RATE_BYTES"),
                timedOut.content().toString(US_ASCII));
        timedOut.release();
        assertFalse(embedded.channel.isOpen());
        drainInbound();
    }

    @Test
    void aBodyAtTheRateIsNeverTimedOutAndTheNextRequestStartsAfresh() {
        bodyAfterHead(100, 3000);
        for (int i = 0; i < 30; i++) {
            advance(1);
            embedded.channel.writeInbound(Unpooled.wrappedBuffer(new byte[100]));
        }
        assertTrue(embedded.channel.isOpen(), "30 s of body at 100 bytes/s");
        assertNull(embedded.channel.readOutbound());
        drainInbound();
        advance(600 - 31);
        assertTrue(embedded.channel.isOpen(), "between requests nothing is timed");
        assertNull(embedded.channel.readOutbound());
    }

    @Test
    void aRateOfZeroLeavesBodiesUntimed() {
        bodyAfterHead(0, 10);
        advance(300);
        assertTrue(embedded.channel.isOpen());
        assertNull(embedded.channel.readOutbound());
        drainInbound();
    }

    private void drainInbound() {
        Object part;
        while ((part = embedded.channel.readInbound()) != null) {
            io.netty.util.ReferenceCountUtil.release(part);
        }
    }
}
