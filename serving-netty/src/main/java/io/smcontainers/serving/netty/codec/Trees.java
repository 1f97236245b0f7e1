package io.smcontainers.serving.netty.codec;

import java.lang.reflect.Array;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** Turns the Java values a handler may return (boxed numbers, arrays, collections) into the JSON-tree kinds the array builder knows. */
final class Trees {
    private Trees() {}

    static Object normalize(Object value) {
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof Float) {
            return ((Float) value).doubleValue();
        }
        if (value instanceof BigInteger && ((BigInteger) value).bitLength() < 64) {
            return ((BigInteger) value).longValue();
        }
        if (value instanceof Character) {
            return value.toString();
        }
        if (value instanceof Collection) {
            List<Object> out = new ArrayList<>();
            for (Object item : (Collection<?>) value) {
                out.add(normalize(item));
            }
            return out;
        }
        if (value != null && value.getClass().isArray()) {
            List<Object> out = new ArrayList<>();
            for (int i = 0, n = Array.getLength(value); i < n; i++) {
                out.add(normalize(Array.get(value, i)));
            }
            return out;
        }
        if (value instanceof Map) {
            return value;
        }
        return value;
    }
}
