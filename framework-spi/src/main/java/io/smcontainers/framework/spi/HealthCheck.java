package io.smcontainers.framework.spi;

/**
 * A handler's own health check for {@code GET /ping} (serving contract 1.4, item 5), offered by
 * {@link ModelHandler#healthCheck}: the reference toolkit's custom ping function. The runtime consults it only while
 * it is ready itself (model loaded, not shutting down; otherwise {@code /ping} answers 503 without calling it) and
 * sends what it returns as-is, status, content type, headers and body, with the framing rules of an invocation
 * answer ({@link InvocationResponse}). Any status but 200 tells the platform the container is unhealthy.
 *
 * <p>Threads: {@link #check} runs on a thread of its own ({@code smc-health}), never on the network I/O threads or the
 * inference workers, one call at a time; pings that arrive while a call runs share its answer. A call that throws, or
 * returns {@code null}, answers 503; a call that has not returned one second after it started answers 503 to every
 * ping waiting on it (the platform gives up on a ping after two), and the next call starts only once it returns. The
 * check may block, but a check that never returns leaves the container unhealthy for good.
 */
@FunctionalInterface
public interface HealthCheck {
    /** The answer to one {@code GET} or {@code HEAD /ping} (for {@code HEAD}, the body is left out). */
    InvocationResponse check() throws Exception;
}
