package io.smcontainers.framework.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcontainers.framework.spi.NdArray.DType;
import org.junit.jupiter.api.Test;

class NdArrayTest {
    @Test
    void shapeMustMatchTheDataAndTheDataItsType() {
        NdArray matrix = NdArray.ofLongs(new long[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertArrayEquals(new int[] {2, 3}, matrix.shape());
        assertEquals(2, matrix.rank());
        assertEquals(6, matrix.size());
        IllegalArgumentException size =
                assertThrows(IllegalArgumentException.class, () -> NdArray.ofLongs(new long[] {1, 2, 3}, 2, 2));
        assertEquals("shape [2, 2] needs 4 elements, data has 3", size.getMessage());
        IllegalArgumentException type =
                assertThrows(IllegalArgumentException.class, () -> NdArray.of(NdArray.DType.INT32, new long[] {1}, 1));
        assertEquals("dtype INT32 stores int[], got long[]", type.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NdArray.ofDoubles(new double[0], -1));
        assertEquals(1, NdArray.ofDoubles(new double[] {7}).size(), "an empty shape is a 0-d scalar");
        assertThrows(
                IllegalArgumentException.class,
                () -> NdArray.ofDoubles(new double[0]),
                "a 0-d scalar holds one element");
    }

    @Test
    void dataIsHandedOverButTheShapeIsCopiedBothWays() {
        long[] data = {1, 2};
        int[] shape = {2};
        NdArray array = NdArray.ofLongs(data, shape);
        shape[0] = 5;
        assertArrayEquals(new int[] {2}, array.shape());
        array.shape()[0] = 7;
        assertArrayEquals(new int[] {2}, array.shape());
        assertSame(data, array.data());
    }

    @Test
    void unsignedAndBooleanElementsReadAsTheirValues() {
        assertEquals(
                255.0,
                NdArray.of(NdArray.DType.UINT8, new byte[] {(byte) 0xff}, 1).getDouble(0));
        assertEquals(
                65535.0,
                NdArray.of(NdArray.DType.UINT16, new short[] {(short) 0xffff}, 1)
                        .getDouble(0));
        assertEquals(
                4294967295.0,
                NdArray.of(NdArray.DType.UINT32, new int[] {-1}, 1).getDouble(0));
        assertEquals(
                18446744073709551615.0,
                NdArray.of(NdArray.DType.UINT64, new long[] {-1L}, 1).getDouble(0));
        assertEquals(-1.0, NdArray.of(NdArray.DType.INT8, new byte[] {-1}, 1).getDouble(0));
        assertArrayEquals(
                new double[] {1, 0},
                NdArray.ofBooleans(new boolean[] {true, false}, 2).toDoubles());
        assertArrayEquals(
                new double[] {1.5, 2.5},
                NdArray.ofFloats(new float[] {1.5f, 2.5f}, 2).toDoubles());
        IllegalStateException text = assertThrows(
                IllegalStateException.class,
                () -> NdArray.ofStrings(new String[] {"a"}, 1).getDouble(0));
        assertEquals("dtype STRING is not numeric", text.getMessage());
    }

    @Test
    void equalityIsByTypeShapeAndContent() {
        assertEquals(NdArray.vector(1, 2), NdArray.ofDoubles(new double[] {1, 2}, 2));
        assertEquals(
                NdArray.vector(1, 2).hashCode(),
                NdArray.ofDoubles(new double[] {1, 2}, 2).hashCode());
        assertNotEquals(NdArray.vector(1, 2), NdArray.ofDoubles(new double[] {1, 2}, 1, 2), "shape differs");
        assertNotEquals(NdArray.vector(1, 2), NdArray.ofLongs(new long[] {1, 2}, 2), "type differs");
        assertEquals(
                NdArray.of(NdArray.DType.BYTES, new byte[][] {{1}}, 1),
                NdArray.of(NdArray.DType.BYTES, new byte[][] {{1}}, 1));
        assertEquals(
                "NdArray[INT64, shape=[2], [3, 4]]",
                NdArray.ofLongs(new long[] {3, 4}, 2).toString());
    }

    @Test
    void typesCarryTheirNumpyNamesAndStorage() {
        assertEquals("float32", NdArray.DType.FLOAT32.numpyName());
        assertEquals("str", NdArray.DType.STRING.numpyName());
        assertTrue(NdArray.DType.UINT64.storage() == long[].class);
    }

    @Test
    void complexElementsArePairs() {
        NdArray complex = NdArray.of(DType.COMPLEX128, new double[] {1, 2, 3, 4}, 2);
        assertEquals(2, complex.size());
        assertThrows(IllegalArgumentException.class, () -> NdArray.of(DType.COMPLEX64, new float[] {1, 2, 3}, 2));
        assertThrows(IllegalStateException.class, () -> complex.getDouble(0));
        assertEquals(
                113.3125, NdArray.of(DType.FLOAT16, new float[] {113.3125f}, 1).getDouble(0));
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
