package io.smcontainers.intermediate.sync;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts one S3Proxy (in-memory store) per test JVM (on first use) and stops it when JUnit closes the root store after all tests.
 * Tests read {@link #endpoint()}.
 */
final class S3ProxyExtension implements BeforeAllCallback {
    private static volatile S3ServerProcess server;

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getRoot()
                .getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(S3ProxyExtension.class, k -> {
                    server = S3ServerProcess.s3proxy();
                    return server; // AutoCloseable: JUnit closes it after the last test
                });
    }

    static java.net.URI endpoint() {
        return server.endpoint();
    }
}
