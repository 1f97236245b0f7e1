package io.smcontainers.launcher.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Map;
import java.util.TimeZone;
import net.logstash.logback.encoder.LogstashEncoder;
import net.logstash.logback.fieldnames.LogstashFieldNames;
import org.slf4j.LoggerFactory;

/**
 * Logback configured in code (no XML to parse at start-up): one console appender on stderr with the reference's
 * layout, {@code 2026-11-23 07:05:51,637 sagemaker-training-toolkit INFO     Reporting training SUCCESS}, level INFO until the job's
 * {@code sagemaker_container_log_level} is known. Run by {@link LogProvider} in the distribution, else found by logback
 * through {@code META-INF/services/ch.qos.logback.classic.spi.Configurator}.
 *
 * <p>{@code SMC_LOG_FORMAT=json} ({@link #useFormat}) swaps the layout for logstash-logback-encoder's: one JSON object
 * per line with {@code time} (ISO-8601 with offset), {@code level}, {@code logger}, {@code thread}, {@code message},
 * {@code stack_trace} when there is one, and the MDC entries ({@code request_id}, {@code model}, {@code worker} on
 * serving's inference threads) as top-level fields.
 */
public final class LogSetup extends ContextAwareBase implements Configurator {
    @Override
    public ExecutionStatus configure(LoggerContext context) {
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName("console");
        console.setTarget("System.err");
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(context);
        ReferenceLayout layout = new ReferenceLayout();
        layout.setContext(context);
        layout.start();
        encoder.setLayout(layout);
        encoder.start();
        console.setEncoder(encoder);
        console.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(console);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /**
     * Applies {@code SMC_LOG_FORMAT} from {@code environment}: {@code json}, or {@code text} (the default, the reference's
     * layout); any other value keeps text and says so.
     */
    public static void useFormat(Map<String, String> environment) {
        if (!environment.containsKey("SMC_LOG_FORMAT")) {
            return; // text, already configured; and no logback start-up for commands that never log
        }
        String format =
                environment.getOrDefault("SMC_LOG_FORMAT", "text").strip().toLowerCase(Locale.ROOT);
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)
                || !(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("console")
                        instanceof ConsoleAppender<ILoggingEvent> console)) {
            return;
        }
        if (format.equals("json")) {
            console.stop();
            console.setEncoder(jsonEncoder(context));
            console.start();
        } else if (!format.equals("text") && !format.isEmpty()) {
            LoggerFactory.getLogger(LogSetup.class)
                    .warn(
                            "SMC_LOG_FORMAT={} is neither text nor json; logging text",
                            environment.get("SMC_LOG_FORMAT"));
        }
    }

    /** The JSON-lines encoder of SMC_LOG_FORMAT=json. */
    static LogstashEncoder jsonEncoder(LoggerContext context) {
        LogstashEncoder json = new LogstashEncoder();
        json.setContext(context);
        LogstashFieldNames names = json.getFieldNames();
        names.setTimestamp("time");
        names.setLogger("logger");
        names.setThread("thread");
        names.setStackTrace("stack_trace");
        names.setVersion("[ignore]");
        names.setLevelValue("[ignore]");
        json.setIncludeContext(false);
        json.setLineSeparator("\n");
        json.start();
        return json;
    }

    /** Sets the root level from a Python logging level (10 DEBUG, 20 INFO, 30 WARNING, 40 ERROR, 50 CRITICAL). */
    public static void pythonLevel(int level) {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            Level logback = level <= 0
                    ? Level.ALL
                    : level < 20 ? Level.DEBUG : level < 30 ? Level.INFO : level < 40 ? Level.WARN : Level.ERROR;
            context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(logback);
            // the SDK's wire-level DEBUG is not the toolkit's DEBUG
            context.getLogger("software.amazon.awssdk").setLevel(level < 20 ? Level.INFO : logback);
        }
    }

    static final class ReferenceLayout extends LayoutBase<ILoggingEvent> {
        /**
         * The local time zone as {@link TimeZone} rather than {@code ZoneId}: {@code ZoneId.systemDefault()} starts
         * java.time's zone-rules providers, a service search over every jar of the class path (~9 % of a no-op
         * {@code train}'s CPU time, launcher/README.md "Start-up"); the offset at each instant is the same.
         */
        private static final TimeZone ZONE = TimeZone.getDefault();

        @Override
        public String doLayout(ILoggingEvent event) {
            long time = event.getTimeStamp();
            LocalDateTime t = LocalDateTime.ofEpochSecond(
                    Math.floorDiv(time, 1000),
                    (int) Math.floorMod(time, 1000) * 1_000_000,
                    ZoneOffset.ofTotalSeconds(ZONE.getOffset(time) / 1000));
            StringBuilder out = new StringBuilder(128);
            out.append(t.getYear()).append('-');
            two(out, t.getMonthValue()).append('-');
            two(out, t.getDayOfMonth()).append(' ');
            two(out, t.getHour()).append(':');
            two(out, t.getMinute()).append(':');
            two(out, t.getSecond()).append(',');
            int millis = t.getNano() / 1_000_000;
            out.append(millis < 100 ? (millis < 10 ? "00" : "0") : "").append(millis);
            out.append(" sagemaker-training-toolkit ");
            String level = event.getLevel() == Level.WARN
                    ? "WARNING"
                    : event.getLevel().toString();
            out.append(level);
            for (int i = level.length(); i < 8; i++) {
                out.append(' ');
            }
            out.append(' ').append(event.getFormattedMessage()).append(CoreConstants.LINE_SEPARATOR);
            if (event.getThrowableProxy() != null) {
                out.append(ThrowableProxyUtil.asString(event.getThrowableProxy()))
                        .append(CoreConstants.LINE_SEPARATOR);
            }
            return out.toString();
        }

        private static StringBuilder two(StringBuilder out, int value) {
            return out.append(value < 10 ? "0" : "").append(value);
        }
    }
}
