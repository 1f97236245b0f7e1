package io.smcontainers.launcher.distributed;

import io.smcontainers.launcher.error.LauncherException;
import io.smcontainers.launcher.error.LauncherException.Category;
import io.smcontainers.launcher.process.StopSignal;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits until every host name of a multi-host job resolves to an IPv4 address (training contract §7.6): retries
 * after 200 ms, 400 ms, ... doubling up to 30 s, for at most {@code limit} per host (15 minutes in SageMaker), logging
 * each retry. A host that never resolves fails the job with exit code 254, as the reference's resolver error does. A stop
 * request ends the wait at once (exit 128 + the signal number).
 */
public final class HostResolution {
    private static final Logger log = LoggerFactory.getLogger(HostResolution.class);
    private static final long MAX_SLEEP_MILLIS = 30_000;

    private HostResolution() {}

    public static void await(List<String> hosts, Duration limit, StopSignal stop) {
        for (String host : hosts) {
            await(host, limit, stop);
        }
    }

    private static void await(String host, Duration limit, StopSignal stop) {
        long start = System.nanoTime();
        int attempt = 0;
        while (true) {
            try {
                InetAddress[] addresses = InetAddress.getAllByName(host);
                if (Arrays.stream(addresses).anyMatch(a -> a instanceof Inet4Address)) {
                    if (attempt > 0) {
                        log.info("Host {} resolves after {} retries", host, attempt);
                    }
                    return;
                }
                throw new UnknownHostException(host + ": no IPv4 address");
            } catch (UnknownHostException e) {
                attempt++;
                long elapsed = System.nanoTime() - start;
                if (elapsed >= limit.toNanos()) {
                    throw new LauncherException(
                            Category.EXTERNAL,
                            254,
                            "Host " + host + " of the training cluster did not resolve "
                                    + "within " + limit.toSeconds() + " s: " + e.getMessage()
                                    + ". The cluster's name service is not ready or the host name in resourceconfig.json is wrong",
                            e);
                }
                long sleep = Math.min(MAX_SLEEP_MILLIS, 100L << Math.min(attempt, 20));
                sleep = Math.min(sleep, Math.max(1, (limit.toNanos() - elapsed) / 1_000_000));
                log.info("Host {} does not resolve yet ({}); retrying in {} ms", host, e.getMessage(), sleep);
                Waits.pause(stop, Duration.ofMillis(sleep), "waiting for host " + host + " to resolve");
            }
        }
    }
}
