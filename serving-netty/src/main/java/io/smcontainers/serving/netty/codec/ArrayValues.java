package io.smcontainers.serving.netty.codec;

import io.smcontainers.env.core.PyFloat;
import io.smcontainers.env.core.PyValues;
import io.smcontainers.framework.spi.InvocationException;
import io.smcontainers.framework.spi.NdArray;
import io.smcontainers.framework.spi.NdArray.DType;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** NumPy 1.24's {@code np.array(value)} for JSON trees, and the element-level text the encoders share. */
final class ArrayValues {
    /** NumPy's {@code NPY_MAXDIMS}. */
    static final int MAX_DIMS = 32;

    private static final BigInteger TWO_TO_64 = BigInteger.ONE.shiftLeft(64);

    private ArrayValues() {}

    /** Why a tree has no regular shape. */
    static final class NotAnArray extends RuntimeException {
        private static final long serialVersionUID = 1L;

        private final boolean tooDeep;

        NotAnArray(String message, boolean tooDeep) {
            super(message, null, false, false);
            this.tooDeep = tooDeep;
        }

        /** More levels than numpy's 32 dimensions: numpy fails whatever the data. */
        boolean tooDeep() {
            return tooDeep;
        }
    }

    /**
     * The shape NumPy discovers for a tree: nested lists of equal length at every level; everything else is a scalar.
     *
     * @throws NotAnArray when lists and scalars mix at one level, lengths differ, or there are more than 32 levels
     */
    static int[] shape(Object tree) {
        List<Integer> shape = new ArrayList<>();
        List<Object> level = java.util.Collections.singletonList(tree);
        while (true) {
            int lists = 0;
            for (Object node : level) {
                if (node instanceof List) {
                    lists++;
                }
            }
            if (lists == 0) {
                break;
            }
            if (lists != level.size()) {
                throw new NotAnArray(
                        "setting an array element with a sequence: the requested array has an inhomogeneous shape after "
                                + shape.size() + " dimensions",
                        false);
            }
            int length = ((List<?>) level.get(0)).size();
            List<Object> next = new ArrayList<>(level.size() * Math.max(length, 1));
            for (Object node : level) {
                if (((List<?>) node).size() != length) {
                    throw new NotAnArray(
                            "setting an array element with a sequence: the requested array has an inhomogeneous shape after "
                                    + shape.size() + " dimensions",
                            false);
                }
                next.addAll((List<?>) node);
            }
            shape.add(length);
            if (shape.size() > MAX_DIMS) {
                throw new NotAnArray(
                        "the requested array would exceed the maximum number of dimensions of " + MAX_DIMS, true);
            }
            if (length == 0) {
                break;
            }
            level = next;
        }
        return shape.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The leaves of a tree of the given shape, in C order. */
    static List<Object> leaves(Object tree, int[] shape) {
        List<Object> level = new ArrayList<>();
        level.add(tree);
        for (int dimension = 0; dimension < shape.length; dimension++) {
            List<Object> next = new ArrayList<>();
            for (Object node : level) {
                next.addAll((List<?>) node);
            }
            level = next;
        }
        return level;
    }

    private enum Kind {
        NONE,
        BOOL,
        INT64,
        UINT64,
        FLOAT64,
        STR,
        OBJECT
    }

    /**
     * The array NumPy would build from a JSON tree, or empty when NumPy makes an object array (nulls, dicts, integers
     * outside int64/uint64) and the caller keeps the tree.
     *
     * @throws NotAnArray when NumPy refuses to build an array at all (ragged, more than 32 levels)
     */
    static Optional<NdArray> fromTree(Object tree) {
        int[] shape = shape(tree);
        List<Object> leaves = leaves(tree, shape);
        Kind kind = Kind.NONE;
        int width = 0;
        for (Object leaf : leaves) {
            Kind leafKind = kindOf(leaf);
            if (leafKind == Kind.OBJECT) {
                return Optional.empty();
            }
            if (leafKind == Kind.STR || kind == Kind.STR) {
                width = Math.max(
                        leafKind == Kind.STR ? codePoints((String) leaf) : strWidth(leafKind),
                        kind == Kind.STR ? width : strWidth(kind));
                kind = Kind.STR;
            } else {
                kind = promote(kind, leafKind);
            }
        }
        int size = leaves.size();
        switch (kind) {
            case STR: {
                String[] data = new String[size];
                for (int i = 0; i < size; i++) {
                    data[i] = pythonStr(leaves.get(i));
                }
                NdArray strings = numpyStrings(data, shape);
                return Optional.of(strings.withWidth(Math.max(strings.width(), width)));
            }
            case NONE:
            case FLOAT64: {
                double[] data = new double[size];
                for (int i = 0; i < size; i++) {
                    data[i] = number(leaves.get(i));
                }
                return Optional.of(NdArray.ofDoubles(data, shape));
            }
            case INT64:
            case UINT64: {
                long[] data = new long[size];
                for (int i = 0; i < size; i++) {
                    Object leaf = leaves.get(i);
                    data[i] = leaf instanceof Boolean ? (((Boolean) leaf) ? 1 : 0) : ((Number) leaf).longValue();
                }
                return Optional.of(NdArray.of(kind == Kind.INT64 ? DType.INT64 : DType.UINT64, data, shape));
            }
            default: {
                boolean[] data = new boolean[size];
                for (int i = 0; i < size; i++) {
                    data[i] = (Boolean) leaves.get(i);
                }
                return Optional.of(NdArray.ofBooleans(data, shape));
            }
        }
    }

    /** A str array as numpy holds it: width of the longest string, trailing NULs of each element dropped. */
    static NdArray numpyStrings(String[] cells, int[] shape) {
        int width = 1;
        String[] values = new String[cells.length];
        for (int i = 0; i < cells.length; i++) {
            width = Math.max(width, codePoints(cells[i]));
            int end = cells[i].length();
            while (end > 0 && cells[i].charAt(end - 1) == 0) {
                end--;
            }
            values[i] = cells[i].substring(0, end);
        }
        return NdArray.ofStrings(values, shape).withWidth(width);
    }

    private static Kind kindOf(Object leaf) {
        if (leaf instanceof String) {
            return Kind.STR;
        }
        if (leaf instanceof Boolean) {
            return Kind.BOOL;
        }
        if (leaf instanceof Long) {
            return Kind.INT64;
        }
        if (leaf instanceof Double) {
            return Kind.FLOAT64;
        }
        if (leaf instanceof BigInteger) {
            BigInteger big = (BigInteger) leaf;
            if (big.bitLength() < 64) {
                return Kind.INT64;
            }
            return big.signum() > 0 && big.compareTo(TWO_TO_64) < 0 ? Kind.UINT64 : Kind.OBJECT;
        }
        return Kind.OBJECT;
    }

    private static Kind promote(Kind a, Kind b) {
        if (a == Kind.NONE || a == b) {
            return b;
        }
        if (a == Kind.FLOAT64 || b == Kind.FLOAT64) {
            return Kind.FLOAT64;
        }
        if (a == Kind.BOOL) {
            return b;
        }
        if (b == Kind.BOOL) {
            return a;
        }
        return Kind.FLOAT64; // int64 with uint64
    }

    /** The width numpy gives a number kind when it meets a string ({@code promote_types(kind, 'U')}). */
    private static int strWidth(Kind kind) {
        switch (kind) {
            case BOOL:
                return 5;
            case INT64:
                return 21;
            case UINT64:
                return 20;
            case FLOAT64:
                return 32;
            default:
                return 0;
        }
    }

    private static int codePoints(String text) {
        return text.codePointCount(0, text.length());
    }

    private static double number(Object leaf) {
        if (leaf instanceof Boolean) {
            return ((Boolean) leaf) ? 1 : 0;
        }
        return ((Number) leaf).doubleValue();
    }

    /** Python's {@code str()} of a JSON scalar, as NumPy uses it when mixing numbers into a string array. */
    static String pythonStr(Object leaf) {
        if (leaf instanceof String) {
            return (String) leaf;
        }
        if (leaf instanceof Boolean) {
            return ((Boolean) leaf) ? "True" : "False";
        }
        if (leaf instanceof Double) {
            return PyFloat.repr((Double) leaf);
        }
        return String.valueOf(leaf);
    }

    /** A cell of an object array as Python's csv writer writes it: None empty, floats by repr, anything else by str(). */
    static String objectCell(Object leaf) {
        if (leaf == null || (leaf instanceof Optional && ((Optional<?>) leaf).isEmpty())) {
            return "";
        }
        try {
            return PyValues.str(plain(leaf));
        } catch (IllegalArgumentException e) {
            throw new InvocationException(500, "ValueError", "Error while encoding csv: " + e.getMessage(), null);
        }
    }

    /** JSON tree values as env-core's Python emulation takes them: Optional.empty() becomes null. */
    static Object plain(Object value) {
        if (value instanceof Optional) {
            return ((Optional<?>) value).map(ArrayValues::plain).orElse(null);
        }
        if (value instanceof List) {
            List<Object> out = new ArrayList<>();
            for (Object item : (List<?>) value) {
                out.add(plain(item));
            }
            return out;
        }
        if (value instanceof Map) {
            Map<Object, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
                out.put(plain(entry.getKey()), plain(entry.getValue()));
            }
            return out;
        }
        return value;
    }

    /** Element {@code index} of an array as its CSV field text (Python csv writer: repr for float64, str() otherwise). */
    static String csvField(NdArray array, int index) {
        Object data = array.data();
        switch (array.dtype()) {
            case FLOAT64:
                return PyFloat.repr(((double[]) data)[index]);
            case FLOAT32:
                return PyFloat.strFloat32(((float[]) data)[index]);
            case FLOAT16:
                return PyFloat.strFloat16(((float[]) data)[index]);
            case COMPLEX128:
                return PyFloat.strComplex(((double[]) data)[2 * index], ((double[]) data)[2 * index + 1], false);
            case COMPLEX64:
                return PyFloat.strComplex(((float[]) data)[2 * index], ((float[]) data)[2 * index + 1], true);
            case INT64:
                return Long.toString(((long[]) data)[index]);
            case UINT64:
                return Long.toUnsignedString(((long[]) data)[index]);
            case INT32:
                return Integer.toString(((int[]) data)[index]);
            case UINT32:
                return Integer.toUnsignedString(((int[]) data)[index]);
            case INT16:
                return Short.toString(((short[]) data)[index]);
            case UINT16:
                return Integer.toString(Short.toUnsignedInt(((short[]) data)[index]));
            case INT8:
                return Byte.toString(((byte[]) data)[index]);
            case UINT8:
                return Integer.toString(Byte.toUnsignedInt(((byte[]) data)[index]));
            case BOOL:
                return ((boolean[]) data)[index] ? "True" : "False";
            case STRING:
                return ((String[]) data)[index];
            case BYTES:
                return bytesRepr(((byte[][]) data)[index]);
        }
        throw new AssertionError(array.dtype());
    }

    /** Python's {@code repr(bytes)}: {@code b'\x7f\n'}, double quotes when the value holds a ' and no ". */
    static String bytesRepr(byte[] value) {
        boolean single = false;
        boolean doubled = false;
        for (byte b : value) {
            single |= b == '\'';
            doubled |= b == '"';
        }
        char quote = single && !doubled ? '"' : '\'';
        StringBuilder out = new StringBuilder(value.length + 3).append('b').append(quote);
        for (byte b : value) {
            int c = b & 0xff;
            if (c == quote || c == '\\') {
                out.append('\\').append((char) c);
            } else if (c == '\t') {
                out.append("\\t");
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (c < 0x20 || c >= 0x7f) {
                out.append("\\x").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xf, 16));
            } else {
                out.append((char) c);
            }
        }
        return out.append(quote).toString();
    }
}
