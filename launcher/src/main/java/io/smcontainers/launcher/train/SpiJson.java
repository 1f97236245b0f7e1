package io.smcontainers.launcher.train;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * env-core's decoded JSON (every integer a {@code BigInteger}, as Python's unbounded {@code int}) as the SPI's JSON
 * values ({@code io.smcontainers.framework.spi} package doc): integers that fit in 64 bits become {@code Long};
 * maps and lists are copied, unmodifiable, in order, nulls kept.
 */
final class SpiJson {
    private SpiJson() {}

    static Map<String, Object> object(Map<String, ?> map) {
        Map<String, Object> copy = new LinkedHashMap<>();
        map.forEach((key, value) -> copy.put(key, value(value)));
        return Collections.unmodifiableMap(copy);
    }

    static Object value(Object value) {
        if (value instanceof BigInteger big) {
            return big.bitLength() < Long.SIZE ? (Object) big.longValue() : big;
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((key, item) -> copy.put(String.valueOf(key), value(item)));
            return Collections.unmodifiableMap(copy);
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>(list.size());
            list.forEach(item -> copy.add(value(item)));
            return Collections.unmodifiableList(copy);
        }
        return value;
    }
}
