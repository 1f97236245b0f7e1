package io.smcontainers.intermediate.sync;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts one S3Mock per test JVM (on first use) and stops it when JUnit closes the root store after all tests.
 * Tests read {@link #endpoint()}.
 */
final class S3MockExtension implements BeforeAllCallback {
    private static volatile S3ServerProcess server;

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).getOrComputeIfAbsent(S3MockExtension.class, k -> {
            server = S3ServerProcess.s3mock();
            return server; // AutoCloseable: JUnit closes it after the last test
        });
    }

    static java.net.URI endpoint() {
        return server.endpoint();
    }
}
