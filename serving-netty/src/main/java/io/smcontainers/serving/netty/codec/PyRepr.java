package io.smcontainers.serving.netty.codec;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Python's {@code repr} of floats: the shortest digits that read back as the same value, fixed notation when
 * the decimal exponent is in [-4, 16), else {@code 1e-05} / {@code 1e+16} style. JDK 17's {@code Double.toString}
 * prints {@code 1.0E16} and is not always shortest, so digits come from exact {@link BigDecimal} rounding.
 */
final class PyRepr {
    private PyRepr() {}

    /** {@code repr(float)}; non-finite values as Python's CSV writer prints them: {@code nan}, {@code inf}, {@code -inf}. */
    static String ofDouble(double value) {
        if (Double.isNaN(value)) {
            return "nan";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "inf" : "-inf";
        }
        if (value == 0) {
            return Double.doubleToRawLongBits(value) < 0 ? "-0.0" : "0.0";
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value) + ".0";
        }
        BigDecimal exact = new BigDecimal(value);
        for (int precision = 1; precision < 17; precision++) {
            BigDecimal rounded = exact.round(new MathContext(precision, RoundingMode.HALF_EVEN));
            if (rounded.doubleValue() == value) {
                return format(rounded);
            }
        }
        return format(exact.round(new MathContext(17, RoundingMode.HALF_EVEN)));
    }

    /** NumPy's {@code str(np.float32(x))}: the shortest digits that read back as the same float. */
    static String ofFloat(float value) {
        if (Float.isNaN(value) || Float.isInfinite(value) || value == 0) {
            return ofDouble(value);
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e7) {
            return Long.toString((long) value) + ".0";
        }
        BigDecimal exact = new BigDecimal(value);
        for (int precision = 1; precision < 9; precision++) {
            BigDecimal rounded = exact.round(new MathContext(precision, RoundingMode.HALF_EVEN));
            if (rounded.floatValue() == value) {
                return format(rounded);
            }
        }
        return format(exact.round(new MathContext(9, RoundingMode.HALF_EVEN)));
    }

    /** JSON spelling of a double as Python's {@code json.dumps} writes it. */
    static String jsonDouble(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "Infinity" : "-Infinity";
        }
        return ofDouble(value);
    }

    private static String format(BigDecimal rounded) {
        String digits = rounded.unscaledValue().abs().toString();
        int end = digits.length();
        while (end > 1 && digits.charAt(end - 1) == '0') {
            end--;
        }
        digits = digits.substring(0, end);
        // value = d1.d2d3... x 10^exponent
        int exponent = rounded.precision() - rounded.scale() - 1;
        StringBuilder out = new StringBuilder(26);
        if (rounded.signum() < 0) {
            out.append('-');
        }
        if (exponent < -4 || exponent >= 16) {
            out.append(digits.charAt(0));
            if (digits.length() > 1) {
                out.append('.').append(digits, 1, digits.length());
            }
            out.append('e').append(exponent < 0 ? '-' : '+');
            int magnitude = Math.abs(exponent);
            if (magnitude < 10) {
                out.append('0');
            }
            return out.append(magnitude).toString();
        }
        if (exponent < 0) {
            out.append("0.");
            for (int i = -1; i > exponent; i--) {
                out.append('0');
            }
            return out.append(digits).toString();
        }
        if (exponent >= digits.length() - 1) {
            out.append(digits);
            for (int i = digits.length() - 1; i < exponent; i++) {
                out.append('0');
            }
            return out.append(".0").toString();
        }
        return out.append(digits, 0, exponent + 1).append('.').append(digits, exponent + 1, digits.length()).toString();
    }
}
