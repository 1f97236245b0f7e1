package io.smcontainers.launcher.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.smcontainers.env.core.PyJson;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SpiJsonTest {
    @Test
    void integersThatFitAreLongsLargerOnesStayBigIntegersNullsStay() throws Exception {
        @SuppressWarnings("unchecked")
        Map<String, Object> decoded = (Map<String, Object>) PyJson.loads(
                "{\"small\": 3, \"edge\": 9223372036854775807, \"big\": 9223372036854775808, \"neg\": -9223372036854775808,"
                        + " \"none\": null, \"nested\": {\"list\": [1, null, 2.5, \"x\", true]}}");
        Map<String, Object> spi = SpiJson.object(decoded);
        assertEquals(List.of("small", "edge", "big", "neg", "none", "nested"), new ArrayList<>(spi.keySet()));
        assertEquals(3L, spi.get("small"));
        assertEquals(Long.MAX_VALUE, spi.get("edge"));
        assertEquals(new BigInteger("9223372036854775808"), spi.get("big"));
        assertEquals(Long.MIN_VALUE, spi.get("neg"));
        assertEquals(true, spi.containsKey("none"));
        assertEquals(null, spi.get("none"));
        assertEquals(Map.of("list", Arrays.asList(1L, null, 2.5, "x", true)), spi.get("nested"));
    }

    @Test
    void theCopyIsUnmodifiableAndDetached() {
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("a", new ArrayList<>(List.of(BigInteger.ONE)));
        Map<String, Object> spi = SpiJson.object(source);
        source.put("b", 2);
        assertEquals(Map.of("a", List.of(1L)), spi);
        assertThrows(UnsupportedOperationException.class, () -> spi.put("c", 3));
        @SuppressWarnings("unchecked")
        List<Object> list = (List<Object>) spi.get("a");
        assertThrows(UnsupportedOperationException.class, () -> list.add(4));
    }
}
