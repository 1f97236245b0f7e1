package io.smcontainers.serving.netty.codec;

import io.smcontainers.framework.spi.NdArray;
import io.smcontainers.framework.spi.NdArray.DType;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** NumPy's {@code np.array(value)} for JSON trees, and the element-level helpers the encoders share. */
final class ArrayValues {
    private ArrayValues() {}

    /**
     * The array NumPy would build from a JSON tree: all ints → int64, any float → float64, all strings (or strings mixed
     * with numbers) → str, all booleans → bool; nested lists of equal length → N-D. Empty when the tree is not regular
     * (ragged lists, objects, nulls, integers beyond int64): the caller keeps the tree.
     */
    static Optional<NdArray> fromTree(Object tree) {
        List<Integer> shape = new ArrayList<>();
        Object probe = tree;
        while (probe instanceof List) {
            List<?> list = (List<?>) probe;
            shape.add(list.size());
            if (list.isEmpty()) {
                break;
            }
            probe = list.get(0);
        }
        List<Object> leaves = new ArrayList<>();
        if (!collect(tree, shape, 0, leaves)) {
            return Optional.empty();
        }
        boolean anyString = false;
        boolean anyFloat = false;
        boolean anyInt = false;
        for (Object leaf : leaves) {
            if (leaf instanceof String) {
                anyString = true;
            } else if (leaf instanceof Double) {
                anyFloat = true;
            } else if (leaf instanceof Long) {
                anyInt = true;
            } else if (!(leaf instanceof Boolean)) {
                return Optional.empty();
            }
        }
        int[] dims = shape.stream().mapToInt(Integer::intValue).toArray();
        int size = leaves.size();
        if (anyString) {
            String[] data = new String[size];
            for (int i = 0; i < size; i++) {
                data[i] = pythonStr(leaves.get(i));
            }
            return Optional.of(NdArray.ofStrings(data, dims));
        }
        if (anyFloat || size == 0) {
            double[] data = new double[size];
            for (int i = 0; i < size; i++) {
                data[i] = number(leaves.get(i));
            }
            return Optional.of(NdArray.ofDoubles(data, dims));
        }
        if (anyInt) {
            long[] data = new long[size];
            for (int i = 0; i < size; i++) {
                Object leaf = leaves.get(i);
                data[i] = leaf instanceof Boolean ? (((Boolean) leaf) ? 1 : 0) : (Long) leaf;
            }
            return Optional.of(NdArray.ofLongs(data, dims));
        }
        boolean[] data = new boolean[size];
        for (int i = 0; i < size; i++) {
            data[i] = (Boolean) leaves.get(i);
        }
        return Optional.of(NdArray.ofBooleans(data, dims));
    }

    private static boolean collect(Object node, List<Integer> shape, int depth, List<Object> leaves) {
        if (depth == shape.size()) {
            if (node instanceof List || node instanceof Map || node instanceof Optional || node instanceof BigInteger || node == null) {
                return false;
            }
            leaves.add(node);
            return true;
        }
        if (!(node instanceof List) || ((List<?>) node).size() != shape.get(depth)) {
            return false;
        }
        for (Object child : (List<?>) node) {
            if (!collect(child, shape, depth + 1, leaves)) {
                return false;
            }
        }
        return true;
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
            return PyRepr.ofDouble((Double) leaf);
        }
        return String.valueOf(leaf);
    }

    /** Element {@code index} of an array as its CSV field text (Python csv writer / NumPy str rules). */
    static String csvField(NdArray array, int index) {
        Object data = array.data();
        switch (array.dtype()) {
            case FLOAT64: return PyRepr.ofDouble(((double[]) data)[index]);
            case FLOAT32: return PyRepr.ofFloat(((float[]) data)[index]);
            case INT64: return Long.toString(((long[]) data)[index]);
            case UINT64: return Long.toUnsignedString(((long[]) data)[index]);
            case INT32: return Integer.toString(((int[]) data)[index]);
            case UINT32: return Integer.toUnsignedString(((int[]) data)[index]);
            case INT16: return Short.toString(((short[]) data)[index]);
            case UINT16: return Integer.toString(Short.toUnsignedInt(((short[]) data)[index]));
            case INT8: return Byte.toString(((byte[]) data)[index]);
            case UINT8: return Integer.toString(Byte.toUnsignedInt(((byte[]) data)[index]));
            case BOOL: return ((boolean[]) data)[index] ? "True" : "False";
            case STRING: return ((String[]) data)[index];
            case BYTES: return "b'" + new String(((byte[][]) data)[index], java.nio.charset.StandardCharsets.ISO_8859_1) + "'";
        }
        throw new AssertionError(array.dtype());
    }

    /** Whether the dtype is one the JSON encoder writes as a number. */
    static boolean isNumeric(DType dtype) {
        return dtype != DType.STRING && dtype != DType.BYTES && dtype != DType.BOOL;
    }
}
