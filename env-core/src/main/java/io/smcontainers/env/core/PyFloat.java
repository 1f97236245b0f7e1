package io.smcontainers.env.core;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Python's {@code float.__repr__}: the shortest digit string that reads back as the same double (closest
 * to the exact value among the shortest), printed fixed when the decimal exponent is in (-4, 16], else in
 * scientific form with a signed two-digit exponent. JDK 17's {@link Double#toString} is not always
 * shortest, so digits come from exact {@link BigDecimal} rounding instead.
 */
final class PyFloat {
    private PyFloat() {}

    /** Python repr; non-finite values as Python prints them ({@code nan}, {@code inf}, {@code -inf}). */
    static String repr(double value) {
        if (Double.isNaN(value)) {
            return "nan";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "inf" : "-inf";
        }
        if (value == 0) {
            return (Double.doubleToRawLongBits(value) < 0) ? "-0.0" : "0.0";
        }
        BigDecimal shortest = shortest(value);
        String digits = shortest.unscaledValue().abs().toString();
        // strip trailing zeros of the digit string (BigDecimal may carry them)
        int end = digits.length();
        while (end > 1 && digits.charAt(end - 1) == '0') {
            end--;
        }
        int trimmed = digits.length() - end;
        digits = digits.substring(0, end);
        // value = 0.d1d2...dn x 10^decimalPoint
        int decimalPoint = digits.length() - shortest.scale() + trimmed;
        StringBuilder out = new StringBuilder(24);
        if (value < 0) {
            out.append('-');
        }
        if (decimalPoint > -4 && decimalPoint <= 16) {
            if (decimalPoint <= 0) {
                out.append("0.");
                out.append("0".repeat(-decimalPoint));
                out.append(digits);
            }
            else if (decimalPoint >= digits.length()) {
                out.append(digits);
                out.append("0".repeat(decimalPoint - digits.length()));
                out.append(".0");
            }
            else {
                out.append(digits, 0, decimalPoint).append('.').append(digits, decimalPoint, digits.length());
            }
            return out.toString();
        }
        out.append(digits.charAt(0));
        if (digits.length() > 1) {
            out.append('.').append(digits, 1, digits.length());
        }
        int exponent = decimalPoint - 1;
        out.append('e').append(exponent < 0 ? '-' : '+');
        int magnitude = Math.abs(exponent);
        if (magnitude < 10) {
            out.append('0');
        }
        out.append(magnitude);
        return out.toString();
    }

    private static BigDecimal shortest(double value) {
        BigDecimal exact = new BigDecimal(value);
        for (int precision = 1; precision <= 17; precision++) {
            BigDecimal best = null;
            for (RoundingMode mode : new RoundingMode[] {RoundingMode.HALF_EVEN, RoundingMode.FLOOR, RoundingMode.CEILING}) {
                BigDecimal candidate = exact.round(new MathContext(precision, mode));
                if (candidate.doubleValue() == value
                        && (best == null || candidate.subtract(exact).abs().compareTo(best.subtract(exact).abs()) < 0)) {
                    best = candidate;
                }
            }
            if (best != null) {
                return best;
            }
        }
        return exact.round(new MathContext(17, RoundingMode.HALF_EVEN));
    }
}
