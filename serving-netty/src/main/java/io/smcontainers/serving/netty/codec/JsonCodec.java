package io.smcontainers.serving.netty.codec;

import io.smcontainers.env.core.PyJson;
import io.smcontainers.framework.spi.InvocationException;
import io.smcontainers.framework.spi.NdArray;
import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.Charset;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code application/json} as the reference does it: the body read as text (undecodable bytes as U+FFFD), Python's
 * {@code json.loads} (env-core's {@link PyJson}) then {@code np.array}; {@code json.dumps} with the reference's array
 * fallback on the way out.
 */
public final class JsonCodec {
    private JsonCodec() {}

    /**
     * The body as an array when NumPy would make a regular one, else the JSON tree (object arrays: nulls, dicts, huge
     * integers; and ragged lists, which numpy 1.24 refuses).
     */
    static Object decode(byte[] body, Charset charset) {
        Object tree = parse(body, charset);
        try {
            Optional<NdArray> array = ArrayValues.fromTree(tree);
            return array.isPresent() ? array.get() : tree;
        } catch (ArrayValues.NotAnArray e) {
            if (e.tooDeep()) {
                throw InvocationException.badRequest("Error while decoding json: " + e.getMessage(), null);
            }
            return tree;
        }
    }

    /**
     * Parses one JSON document as Python's {@code json.loads} into the SPI's JSON values (package
     * io.smcontainers.framework.spi): Lists, Maps (insertion order, last duplicate wins), Strings, Longs (BigIntegers
     * beyond), Doubles, Booleans and null.
     */
    public static Object parse(byte[] body, Charset charset) {
        try {
            return tree(PyJson.loads(MediaTypes.text(body, charset)));
        } catch (PyJson.JsonSyntaxException e) {
            throw InvocationException.badRequest("Error while decoding json: " + e.getMessage(), null);
        }
    }

    private static Object tree(Object value) {
        if (value instanceof BigInteger) {
            BigInteger big = (BigInteger) value;
            return big.bitLength() < 64 ? (Object) big.longValue() : big;
        }
        if (value instanceof List) {
            List<Object> out = new ArrayList<>(((List<?>) value).size());
            for (Object item : (List<?>) value) {
                out.add(tree(item));
            }
            return out;
        }
        if (value instanceof Map) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
                out.put((String) entry.getKey(), tree(entry.getValue()));
            }
            return out;
        }
        return value;
    }

    /** {@code json.dumps(value, default=...)} where the fallback turns arrays into nested lists, as the reference's. */
    public static String encode(Object value) {
        try {
            return PyJson.dumps(value, JsonCodec::fallback);
        } catch (IllegalArgumentException e) {
            throw new InvocationException(500, "TypeError", e.getMessage(), null);
        }
    }

    private static Object fallback(Object value) {
        if (value instanceof Optional) {
            return ((Optional<?>) value).orElse(null);
        }
        if (value instanceof NdArray) {
            return tolist((NdArray) value);
        }
        if (value instanceof CharSequence || value instanceof Character) {
            return value.toString();
        }
        if (value instanceof BigDecimal) {
            return ((BigDecimal) value).doubleValue();
        }
        if (value instanceof Collection) {
            return new ArrayList<>((Collection<?>) value);
        }
        if (value instanceof Object[]) {
            return List.of((Object[]) value);
        }
        if (value.getClass().isArray() && value.getClass() != byte[].class) {
            List<Object> out = new ArrayList<>();
            for (int i = 0, n = Array.getLength(value); i < n; i++) {
                out.add(Array.get(value, i));
            }
            return out;
        }
        throw notSerializable(value);
    }

    /** {@code ndarray.tolist()} as a view: nested lists of Python-like scalars, never copied. */
    private static Object tolist(NdArray array) {
        if (array.dtype() == NdArray.DType.BYTES && array.size() > 0) {
            throw new InvocationException(500, "TypeError", "Object of type bytes is not JSON serializable", null);
        }
        if (array.dtype().isComplex() && array.size() > 0) {
            throw new InvocationException(500, "TypeError", "Object of type complex is not JSON serializable", null);
        }
        int[] shape = array.shape();
        if (shape.length == 0) {
            return element(array, 0);
        }
        return new Nested(array, shape, 0, 0);
    }

    private static Object element(NdArray array, int index) {
        switch (array.dtype()) {
            case BOOL:
                return ((boolean[]) array.data())[index];
            case STRING:
                return ((String[]) array.data())[index];
            case INT64:
                return ((long[]) array.data())[index];
            case UINT64:
                return new BigInteger(Long.toUnsignedString(((long[]) array.data())[index]));
            case FLOAT64:
            case FLOAT32:
            case FLOAT16:
                return array.getDouble(index);
            default:
                return (long) array.getDouble(index);
        }
    }

    private static final class Nested extends AbstractList<Object> {
        private final NdArray array;
        private final int[] shape;
        private final int dimension;
        private final int offset;
        private final int stride;

        Nested(NdArray array, int[] shape, int dimension, int offset) {
            this.array = array;
            this.shape = shape;
            this.dimension = dimension;
            this.offset = offset;
            int product = 1;
            for (int d = dimension + 1; d < shape.length; d++) {
                product *= shape[d];
            }
            this.stride = product;
        }

        @Override
        public Object get(int index) {
            if (dimension == shape.length - 1) {
                return element(array, offset + index);
            }
            return new Nested(array, shape, dimension + 1, offset + index * stride);
        }

        @Override
        public int size() {
            return shape[dimension];
        }
    }

    static InvocationException notSerializable(Object value) {
        return new InvocationException(
                500,
                "TypeError",
                "Object of type " + value.getClass().getSimpleName() + " is not JSON serializable",
                null);
    }

    /** A JSON string with {@code ensure_ascii}: every non-ASCII character as a lower-case {@code \\uXXXX} escape. */
    public static void string(StringBuilder out, String value) {
        PyJson.writeString(out, value);
    }
}
