package io.smcontainers.framework.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.smcontainers.framework.spi.NdArray.DType;
import org.junit.jupiter.api.Test;

/** float16, complex and declared string widths: sizes, the pairs complex data holds, and the width rules. */
class NdArrayDtypesTest {
    @Test
    void complexElementsArePairs() {
        NdArray complex = NdArray.of(DType.COMPLEX128, new double[] {1, 2, 3, 4}, 2);
        assertEquals(2, complex.size());
        assertThrows(IllegalArgumentException.class, () -> NdArray.of(DType.COMPLEX64, new float[] {1, 2, 3}, 2));
        assertThrows(IllegalStateException.class, () -> complex.getDouble(0));
        assertEquals(113.3125, NdArray.of(DType.FLOAT16, new float[] {113.3125f}, 1).getDouble(0));
    }

    @Test
    void stringWidthsAreDeclaredOrTheLongestElement() {
        NdArray strings = NdArray.ofStrings(new String[] {"ab", "\uD83D\uDE00"}, 2);
        assertEquals(2, strings.width());
        assertEquals(1, NdArray.ofStrings(new String[] {"", ""}, 2).width());
        assertEquals(21, strings.withWidth(21).width());
        assertEquals(strings, strings.withWidth(21));
        assertThrows(IllegalArgumentException.class, () -> strings.withWidth(1));
        assertThrows(IllegalStateException.class, () -> NdArray.vector(1).withWidth(3));
    }
}
