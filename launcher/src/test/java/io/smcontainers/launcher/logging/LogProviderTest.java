package io.smcontainers.launcher.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.slf4j.spi.SLF4JServiceProvider;

class LogProviderTest {
    @Test
    void configuresLogbackAsLogSetupDoesWithoutAutoConfiguration() {
        LogProvider provider = new LogProvider();
        provider.initialize();
        LoggerContext context = assertInstanceOf(LoggerContext.class, provider.getLoggerFactory());
        assertTrue(context.isStarted());
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        assertEquals(Level.INFO, root.getLevel());
        ConsoleAppender<?> console = assertInstanceOf(ConsoleAppender.class, root.getAppender("console"));
        assertTrue(console.isStarted());
        assertEquals("System.err", console.getTarget());
        LayoutWrappingEncoder<?> encoder = assertInstanceOf(LayoutWrappingEncoder.class, console.getEncoder());
        assertInstanceOf(LogSetup.ReferenceLayout.class, encoder.getLayout());
        provider.getMDCAdapter().put("request_id", "r-1");
        try {
            assertEquals("r-1", context.getMDCAdapter().get("request_id"), "the context logs the provider's MDC");
        } finally {
            provider.getMDCAdapter().clear();
        }
    }

    @Test
    void theLauncherScriptNamesThisProvider() throws IOException, ClassNotFoundException {
        String script = Files.readString(Path.of("src/dist/bin/sagemaker-toolkit"), StandardCharsets.UTF_8);
        Matcher provider = Pattern.compile("-Dslf4j\\.provider=(\\S+)").matcher(script);
        assertTrue(provider.find(), "bin/sagemaker-toolkit sets slf4j.provider");
        assertEquals(LogProvider.class, Class.forName(provider.group(1)));
        assertTrue(SLF4JServiceProvider.class.isAssignableFrom(LogProvider.class));
        assertTrue(
                script.contains("-Dslf4j.internal.verbosity=WARN"),
                "SLF4J would print a line on stderr naming the provider");
    }
}
