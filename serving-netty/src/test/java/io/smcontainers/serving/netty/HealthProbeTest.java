package io.smcontainers.serving.netty;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.smcontainers.framework.spi.HealthCheck;
import io.smcontainers.framework.spi.InvocationResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * {@link HealthProbe}: the check's answer passed through, failures and a missing answer as 503, one call shared by the
 * pings that arrive while it runs, the deadline answered while the check is still blocked, and no second call before
 * an overdue one returns.
 */
class HealthProbeTest {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final List<HealthProbe> probes = new ArrayList<>();

    @AfterEach
    void stop() {
        probes.forEach(HealthProbe::close);
        timer.shutdownNow();
    }

    private HealthProbe probe(HealthCheck check, Duration deadline) {
        HealthProbe probe = new HealthProbe(check, deadline);
        probes.add(probe);
        return probe;
    }

    /** Sends one ping and returns where its outcome will arrive, with the thread that delivered it. */
    private LinkedBlockingQueue<HealthProbe.Outcome> ping(HealthProbe probe, List<String> threads) {
        LinkedBlockingQueue<HealthProbe.Outcome> outcome = new LinkedBlockingQueue<>();
        probe.probe(timer, result -> {
            threads.add(Thread.currentThread().getName());
            outcome.add(result);
        });
        return outcome;
    }

    private static HealthProbe.Outcome await(LinkedBlockingQueue<HealthProbe.Outcome> outcome) throws Exception {
        HealthProbe.Outcome result = outcome.poll(30, TimeUnit.SECONDS);
        assertTrue(result != null, "no outcome");
        return result;
    }

    @Test
    void theChecksAnswerIsPassedOnFromTheHealthThread() throws Exception {
        List<String> checkThreads = new ArrayList<>();
        HealthProbe probe = probe(
                () -> {
                    checkThreads.add(Thread.currentThread().getName());
                    return InvocationResponse.ofText("ping", "text/plain").withStatus(202);
                },
                Duration.ofSeconds(30));
        List<String> answerThreads = new ArrayList<>();
        HealthProbe.Outcome outcome = await(ping(probe, answerThreads));
        InvocationResponse answer =
                assertInstanceOf(HealthProbe.Healthy.class, outcome).answer();
        assertEquals(202, answer.status());
        assertEquals("ping", new String(answer.payload().bytes(), UTF_8));
        assertEquals(List.of("smc-health"), checkThreads);
    }

    @Test
    void aThrowingOrNullCheckIsUnhealthy() throws Exception {
        HealthProbe throwing = probe(
                () -> {
                    throw new IllegalStateException("GPU lost");
                },
                Duration.ofSeconds(30));
        HealthProbe.Unhealthy failed =
                assertInstanceOf(HealthProbe.Unhealthy.class, await(ping(throwing, new ArrayList<>())));
        assertEquals(503, failed.error().status());
        assertEquals("HealthCheckFailed", failed.error().type());
        assertTrue(
                failed.error().message().contains("IllegalStateException"),
                failed.error().message());
        assertFalse(failed.error().message().contains("GPU lost"), "the exception's message stays in the log");

        HealthProbe returningNull = probe(() -> null, Duration.ofSeconds(30));
        HealthProbe.Unhealthy none =
                assertInstanceOf(HealthProbe.Unhealthy.class, await(ping(returningNull, new ArrayList<>())));
        assertEquals("HealthCheckFailed", none.error().type());
    }

    @Test
    void aCheckThatKeepsFailingIsLoggedOnceUntilItAnswersAgain() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(HealthProbe.class);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        logger.addAppender(logged);
        try {
            AtomicInteger calls = new AtomicInteger();
            HealthProbe probe = probe(
                    () -> {
                        if (calls.incrementAndGet() <= 5) {
                            throw new IllegalStateException("down " + calls.get());
                        }
                        return InvocationResponse.ofText("", "application/json");
                    },
                    Duration.ofSeconds(30));
            for (int i = 0; i < 5; i++) {
                assertInstanceOf(HealthProbe.Unhealthy.class, await(ping(probe, new ArrayList<>())));
            }
            assertInstanceOf(HealthProbe.Healthy.class, await(ping(probe, new ArrayList<>())));
            List<String> lines = logged.list.stream()
                    .filter(event -> event.getLevel().isGreaterOrEqual(Level.INFO))
                    .map(event -> event.getLevel() + " " + event.getFormattedMessage())
                    .toList();
            assertEquals(
                    List.of(
                            "WARN The model handler's health check failed: /ping answers 503 until it answers",
                            "INFO The model handler's health check answers again"),
                    lines);
            assertEquals("down 1", logged.list.get(0).getThrowableProxy().getMessage());
        } finally {
            logger.detachAppender(logged);
        }
    }

    @Test
    void pingsDuringACallShareItAndTheNextPingCallsAgain() throws Exception {
        BlockingCheck check = new BlockingCheck();
        HealthProbe probe = probe(check, Duration.ofSeconds(30));
        List<LinkedBlockingQueue<HealthProbe.Outcome>> waiting = new ArrayList<>();
        waiting.add(ping(probe, new ArrayList<>()));
        assertTrue(check.entered.await(30, TimeUnit.SECONDS));
        for (int i = 0; i < 4; i++) {
            waiting.add(ping(probe, new ArrayList<>()));
        }
        for (LinkedBlockingQueue<HealthProbe.Outcome> outcome : waiting) {
            assertTrue(outcome.isEmpty(), "answered before the check returned");
        }
        check.release.countDown();
        for (LinkedBlockingQueue<HealthProbe.Outcome> outcome : waiting) {
            assertInstanceOf(HealthProbe.Healthy.class, await(outcome));
        }
        assertEquals(1, check.calls.get());
        assertInstanceOf(HealthProbe.Healthy.class, await(ping(probe, new ArrayList<>())));
        assertEquals(2, check.calls.get());
    }

    @Test
    void aCallPastItsDeadlineAnswers503WhileItIsStillBlocked() throws Exception {
        BlockingCheck check = new BlockingCheck();
        CountDownLatch release = check.release;
        AtomicInteger calls = check.calls;
        HealthProbe probe = probe(check, Duration.ofMillis(200));
        List<String> threads = new ArrayList<>();
        HealthProbe.Unhealthy late = assertInstanceOf(HealthProbe.Unhealthy.class, await(ping(probe, threads)));
        assertEquals(503, late.error().status());
        assertEquals("HealthCheckTimeout", late.error().type());
        assertEquals(1, release.getCount(), "the check was still blocked");
        assertFalse(threads.get(0).equals("smc-health"), "the deadline, not the check, answered");
        // a ping while the overdue call still runs is answered at once, on the caller's thread, without a second call
        List<String> callerThreads = new ArrayList<>();
        LinkedBlockingQueue<HealthProbe.Outcome> again = ping(probe, callerThreads);
        assertEquals(1, again.size(), "answered before probe() returned");
        assertEquals(
                "HealthCheckTimeout",
                assertInstanceOf(HealthProbe.Unhealthy.class, again.poll())
                        .error()
                        .type());
        assertEquals(List.of(Thread.currentThread().getName()), callerThreads);
        assertEquals(1, calls.get());
        release.countDown();
        // once it has returned, the next ping calls the check again
        HealthProbe.Outcome next;
        do {
            next = await(ping(probe, new ArrayList<>()));
        } while (next instanceof HealthProbe.Unhealthy);
        assertEquals(2, calls.get());
    }

    @Test
    void afterCloseEveryPingIsUnhealthy() throws Exception {
        HealthProbe probe = probe(() -> InvocationResponse.ofText("", "application/json"), Duration.ofSeconds(30));
        probe.close();
        HealthProbe.Unhealthy closed =
                assertInstanceOf(HealthProbe.Unhealthy.class, await(ping(probe, new ArrayList<>())));
        assertEquals(503, closed.error().status());
        assertEquals("ServerDraining", closed.error().type());
    }
}
