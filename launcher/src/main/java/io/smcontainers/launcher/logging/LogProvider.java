package io.smcontainers.launcher.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.CoreConstants;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The SLF4J provider that {@code bin/sagemaker-toolkit} names with {@code -Dslf4j.provider}: logback, configured at
 * once by {@link LogSetup}. It skips SLF4J's provider search and logback's auto-configuration (a second service search,
 * version checks, status messages): the first search alone opened every jar of {@code lib/} before the first log line.
 * Without the property (tests, an application embedding the launcher) SLF4J finds logback as usual and logback finds
 * {@link LogSetup} as its {@code Configurator}: the same configuration either way.
 */
public final class LogProvider implements SLF4JServiceProvider {
    private final LoggerContext context = new LoggerContext();
    private final IMarkerFactory markers = new BasicMarkerFactory();
    private final LogbackMDCAdapter mdc = new LogbackMDCAdapter();

    @Override
    public ILoggerFactory getLoggerFactory() {
        return context;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return markers;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdc;
    }

    @Override
    public String getRequestedApiVersion() {
        return "2.0.99";
    }

    @Override
    public void initialize() {
        context.setName(CoreConstants.DEFAULT_CONTEXT_NAME);
        context.setMDCAdapter(mdc);
        new LogSetup().configure(context);
        context.start();
    }
}
