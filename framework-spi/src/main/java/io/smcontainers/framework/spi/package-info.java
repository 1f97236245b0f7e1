/**
 * The SPI a framework container implements: {@link io.smcontainers.framework.spi.Framework} for training (and, through
 * {@link io.smcontainers.framework.spi.Framework#serving}, hosting), {@link io.smcontainers.framework.spi.ModelHandler}
 * for serving. JDK types only.
 *
 * <h2>JSON values</h2>
 * Wherever the toolkit hands a framework decoded JSON (training's
 * {@link io.smcontainers.framework.spi.TrainingContext#hyperparameters()} and
 * {@link io.smcontainers.framework.spi.TrainingContext#frameworkParameters()}, serving's
 * {@link io.smcontainers.framework.spi.Codecs#decode} trees), the values are, as Python's {@code json.loads} gives them:
 * <ul>
 *   <li>object: {@code java.util.Map<String, Object>} in document order (the last of duplicate keys wins);</li>
 *   <li>array: {@code java.util.List<Object>};</li>
 *   <li>string: {@code String}; {@code true}/{@code false}: {@code Boolean};</li>
 *   <li>integer: {@code Long} when it fits in 64 bits, else {@code java.math.BigInteger};</li>
 *   <li>other number: {@code Double} ({@code NaN}, {@code Infinity} and {@code -Infinity} accepted, as Python does);</li>
 *   <li>{@code null}: Java {@code null} (maps and lists hold it).</li>
 * </ul>
 * Encoders accept the same values (and, for compatibility, {@code Optional.empty()} as null).
 */
package io.smcontainers.framework.spi;
