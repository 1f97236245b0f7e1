package io.smcontainers.serving.netty.codec;

import io.smcontainers.framework.spi.InvocationException;
import io.smcontainers.framework.spi.NdArray.DType;
import java.nio.ByteOrder;
import java.util.Map;

/** An NPY {@code descr} as {@code np.dtype(descr)} reads it: {@code '<f8'}, {@code 'f8'}, {@code 'float64'}, {@code '<U3'}... */
record NpyType(DType dtype, ByteOrder order, int itemSize, int width, String descr) {
    private static final Map<String, String> NAMES = Map.ofEntries(
            Map.entry("float64", "f8"),
            Map.entry("double", "f8"),
            Map.entry("d", "f8"),
            Map.entry("float", "f8"),
            Map.entry("float32", "f4"),
            Map.entry("single", "f4"),
            Map.entry("f", "f4"),
            Map.entry("float16", "f2"),
            Map.entry("half", "f2"),
            Map.entry("e", "f2"),
            Map.entry("complex128", "c16"),
            Map.entry("cdouble", "c16"),
            Map.entry("D", "c16"),
            Map.entry("complex", "c16"),
            Map.entry("complex64", "c8"),
            Map.entry("csingle", "c8"),
            Map.entry("F", "c8"),
            Map.entry("int64", "i8"),
            Map.entry("q", "i8"),
            Map.entry("l", "i8"),
            Map.entry("int", "i8"),
            Map.entry("int32", "i4"),
            Map.entry("i", "i4"),
            Map.entry("int16", "i2"),
            Map.entry("h", "i2"),
            Map.entry("int8", "i1"),
            Map.entry("b", "i1"),
            Map.entry("byte", "i1"),
            Map.entry("uint64", "u8"),
            Map.entry("Q", "u8"),
            Map.entry("L", "u8"),
            Map.entry("uint", "u8"),
            Map.entry("uint32", "u4"),
            Map.entry("I", "u4"),
            Map.entry("uint16", "u2"),
            Map.entry("H", "u2"),
            Map.entry("uint8", "u1"),
            Map.entry("B", "u1"),
            Map.entry("ubyte", "u1"),
            Map.entry("bool", "b1"),
            Map.entry("?", "b1"),
            Map.entry("bool_", "b1"),
            Map.entry("str", "U0"),
            Map.entry("unicode", "U0"),
            Map.entry("U", "U0"),
            Map.entry("bytes", "S0"),
            Map.entry("S", "S0"),
            Map.entry("a", "S0"));
    private static final Map<String, DType> FIXED = Map.ofEntries(
            Map.entry("f8", DType.FLOAT64),
            Map.entry("f4", DType.FLOAT32),
            Map.entry("f2", DType.FLOAT16),
            Map.entry("c16", DType.COMPLEX128),
            Map.entry("c8", DType.COMPLEX64),
            Map.entry("i8", DType.INT64),
            Map.entry("i4", DType.INT32),
            Map.entry("i2", DType.INT16),
            Map.entry("i1", DType.INT8),
            Map.entry("u8", DType.UINT64),
            Map.entry("u4", DType.UINT32),
            Map.entry("u2", DType.UINT16),
            Map.entry("u1", DType.UINT8),
            Map.entry("b1", DType.BOOL));
    private static final int MAX_WIDTH = Integer.MAX_VALUE / 4;

    static NpyType of(String descr) {
        String rest = descr;
        ByteOrder order = ByteOrder.LITTLE_ENDIAN;
        if (!rest.isEmpty() && "<>|=".indexOf(rest.charAt(0)) >= 0) {
            order = rest.charAt(0) == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
            rest = rest.substring(1);
        }
        rest = NAMES.getOrDefault(rest, rest);
        DType fixed = FIXED.get(rest);
        if (fixed != null) {
            int size = Integer.parseInt(rest.substring(1));
            return new NpyType(fixed, order, size, 0, descr);
        }
        if (rest.length() >= 1 && (rest.charAt(0) == 'U' || rest.charAt(0) == 'S' || rest.charAt(0) == 'a')) {
            String digits = rest.substring(1);
            if (!digits.isEmpty() && digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
                long width = digits.length() > 10 ? Long.MAX_VALUE : Long.parseLong(digits);
                if (width > MAX_WIDTH) {
                    throw NpyCodec.bad("dtype '" + descr + "' is wider than any body can hold");
                }
                boolean unicode = rest.charAt(0) == 'U';
                return new NpyType(
                        unicode ? DType.STRING : DType.BYTES,
                        order,
                        (int) width * (unicode ? 4 : 1),
                        (int) width,
                        descr);
            }
        }
        if (rest.contains("O")) {
            throw new InvocationException(
                    415,
                    InvocationException.UNSUPPORTED_FORMAT,
                    "NPY object arrays (dtype " + descr
                            + ") are not supported: they would need unpickling, which is unsafe",
                    null);
        }
        throw new InvocationException(
                415, InvocationException.UNSUPPORTED_FORMAT, "NPY dtype '" + descr + "' is not supported", null);
    }
}
