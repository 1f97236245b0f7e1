package io.smcontainers.env.core;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.function.Predicate;

/**
 * Python's {@code float.__repr__} and NumPy's {@code str} of float32, float16 and complex scalars: the shortest digit
 * string that reads back as the same value (closest to the exact value among the shortest), fixed or scientific by
 * the caller's rule, scientific with a signed two-digit exponent. JDK 17's {@link Double#toString} is not always
 * shortest, so digits come from exact {@link BigDecimal} rounding instead.
 */
public final class PyFloat {
    private static final BigDecimal TEN_TO_16 = BigDecimal.TEN.pow(16);
    private static final BigDecimal TEN_TO_MINUS_4 = new BigDecimal("0.0001");

    private PyFloat() {}

    /** Python repr; non-finite values as Python prints them ({@code nan}, {@code inf}, {@code -inf}). */
    public static String repr(double value) {
        if (Double.isNaN(value)) {
            return "nan";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "inf" : "-inf";
        }
        if (value == 0) {
            return (Double.doubleToRawLongBits(value) < 0) ? "-0.0" : "0.0";
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e16) {
            // an integral double below 1e16 is its own shortest spelling (doubles there are at most 2 apart)
            return Long.toString((long) value) + ".0";
        }
        BigDecimal shortest = shortest(
                value, significantDigits(Double.toString(value)), candidate -> candidate.doubleValue() == value);
        int exponent = shortest.precision() - shortest.scale() - 1;
        return format(shortest, exponent < -4 || exponent >= 16, false);
    }

    /** NumPy 1.24's {@code str(np.float32(value))}. */
    public static String strFloat32(float value) {
        return numpyStr(
                value, significantDigits(Float.toString(value)), candidate -> candidate.floatValue() == value, false);
    }

    /** NumPy 1.24's {@code str(np.float16(value))}; {@code value} is one a half can hold (see {@link #toHalf}). */
    public static String strFloat16(float value) {
        return numpyStr(value, 5, candidate -> toHalf(candidate.doubleValue()) == value, false);
    }

    /** NumPy 1.24's {@code str()} of a complex128 ({@code single} false) or complex64 scalar: {@code (1+2j)}, {@code 1.5j}. */
    public static String strComplex(double real, double imaginary, boolean single) {
        if (real == 0 && Double.doubleToRawLongBits(real) >= 0) {
            return complexPart(imaginary, single, false) + "j";
        }
        String realText = Double.isNaN(real)
                ? "nan"
                : Double.isInfinite(real) ? (real > 0 ? "inf" : "-inf") : complexPart(real, single, false);
        String imaginaryText = Double.isNaN(imaginary)
                ? "+nan"
                : Double.isInfinite(imaginary)
                        ? (imaginary > 0 ? "+inf" : "-inf")
                        : complexPart(imaginary, single, true);
        return "(" + realText + imaginaryText + "j)";
    }

    private static String complexPart(double value, boolean single, boolean sign) {
        String text;
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            text = repr(value);
        } else if (single) {
            float narrow = (float) value;
            text = numpyStr(
                    narrow,
                    significantDigits(Float.toString(narrow)),
                    candidate -> candidate.floatValue() == narrow,
                    true);
        } else {
            text = numpyStr(
                    value,
                    significantDigits(Double.toString(value)),
                    candidate -> candidate.doubleValue() == value,
                    true);
        }
        return sign && !text.startsWith("-") ? "+" + text : text;
    }

    /** {@code value} rounded to the nearest IEEE half (ties to even), as a double; beyond 65504 it is infinite. */
    public static float toHalf(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value) || value == 0) {
            return (float) value;
        }
        int exponent = Math.max(Math.getExponent(value), -14);
        double quantum = Math.scalb(1.0, exponent - 10);
        double rounded = Math.rint(value / quantum) * quantum;
        if (Math.abs(rounded) > 65504) {
            return value > 0 ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY;
        }
        return (float) rounded;
    }

    /** NumPy's Dragon4 scalar str: positional when 1e-4 <= |value| < 1e16 (or 0), else scientific. */
    private static String numpyStr(
            double value, int maxPrecision, Predicate<BigDecimal> roundTrips, boolean trimPoint) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return repr(value);
        }
        if (value == 0) {
            String zero = trimPoint ? "0" : "0.0";
            return Double.doubleToRawLongBits(value) < 0 ? "-" + zero : zero;
        }
        BigDecimal shortest = shortest(value, maxPrecision, roundTrips);
        BigDecimal magnitude = new BigDecimal(Math.abs(value));
        boolean scientific = magnitude.compareTo(TEN_TO_16) >= 0 || magnitude.compareTo(TEN_TO_MINUS_4) < 0;
        return format(shortest, scientific, trimPoint);
    }

    private static String format(BigDecimal shortest, boolean scientific, boolean trimPoint) {
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
        if (shortest.signum() < 0) {
            out.append('-');
        }
        if (!scientific) {
            if (decimalPoint <= 0) {
                out.append("0.");
                out.append("0".repeat(-decimalPoint));
                out.append(digits);
            } else if (decimalPoint >= digits.length()) {
                out.append(digits);
                out.append("0".repeat(decimalPoint - digits.length()));
                if (!trimPoint) {
                    out.append(".0");
                }
            } else {
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

    /**
     * The shortest decimal that reads back as {@code value} and, among those, the closest to it. {@code upper} digits are
     * known to suffice (the JDK's own spelling round-trips, though JDK 17's is not always shortest); fewer digits are
     * tried downwards while some decimal of that length still reads back (if p digits can, p + 1 can).
     */
    private static BigDecimal shortest(double value, int upper, Predicate<BigDecimal> roundTrips) {
        BigDecimal exact = new BigDecimal(value);
        int precision = Math.max(upper, 1);
        while (precision > 1 && nearest(exact, precision - 1, roundTrips) != null) {
            precision--;
        }
        BigDecimal best = nearest(exact, precision, roundTrips);
        return best != null ? best : exact.round(new MathContext(precision, RoundingMode.HALF_EVEN));
    }

    /** The closest {@code precision}-digit decimal that reads back, or null: the nearest, else the nearest on the other side. */
    private static BigDecimal nearest(BigDecimal exact, int precision, Predicate<BigDecimal> roundTrips) {
        BigDecimal even = exact.round(new MathContext(precision, RoundingMode.HALF_EVEN));
        if (roundTrips.test(even)) {
            return even;
        }
        BigDecimal other = exact.round(
                new MathContext(precision, even.compareTo(exact) > 0 ? RoundingMode.FLOOR : RoundingMode.CEILING));
        return roundTrips.test(other) ? other : null;
    }

    /** The significant digits of a JDK spelling such as {@code 1.0E-5} or {@code 0.0012}. */
    private static int significantDigits(String javaSpelling) {
        int end = javaSpelling.indexOf('E');
        String mantissa = end < 0 ? javaSpelling : javaSpelling.substring(0, end);
        int first = -1;
        int last = -1;
        for (int i = 0; i < mantissa.length(); i++) {
            char c = mantissa.charAt(i);
            if (c >= '1' && c <= '9') {
                if (first < 0) {
                    first = i;
                }
                last = i;
            }
        }
        if (first < 0) {
            return 1;
        }
        int digits = 0;
        for (int i = first; i <= last; i++) {
            if (mantissa.charAt(i) != '.') {
                digits++;
            }
        }
        return digits;
    }
}
