package io.smcontainers.framework.spi;

import static java.util.Objects.requireNonNull;

import java.lang.reflect.Array;
import java.util.Arrays;
import java.util.Objects;

/**
 * An n-dimensional array in C order: what the default codecs produce and accept, the Java analogue of a NumPy
 * array. The data is one flat Java array whose type follows the {@link DType}; unsigned types are stored in
 * the signed array of the same width, float16 in a {@code float[]} (values a half can hold), complex numbers as
 * (real, imaginary) pairs. {@link #data()} is not copied: an array is handed over when built. String and byte-string
 * arrays may carry a declared width (NumPy's {@code <U n} / {@code |S n}) wider than their longest element.
 */
public final class NdArray {
    private final DType dtype;
    private final int[] shape;
    private final Object data;
    private final int size;
    private final int declaredWidth;

    private NdArray(DType dtype, int[] shape, Object data) {
        this(dtype, shape, data, -1);
    }

    private NdArray(DType dtype, int[] shape, Object data, int declaredWidth) {
        this.dtype = requireNonNull(dtype, "dtype is null");
        this.shape = requireNonNull(shape, "shape is null").clone();
        this.data = requireNonNull(data, "data is null");
        if (data.getClass() != dtype.storage) {
            throw new IllegalArgumentException("dtype " + dtype + " stores " + dtype.storage.getSimpleName() + ", got "
                    + data.getClass().getSimpleName());
        }
        long size = 1;
        for (int dimension : this.shape) {
            if (dimension < 0) {
                throw new IllegalArgumentException("shape must not be negative: " + Arrays.toString(this.shape));
            }
            size *= dimension;
        }
        int perElement = dtype.isComplex() ? 2 : 1;
        if (size * perElement != Array.getLength(data)) {
            throw new IllegalArgumentException("shape " + Arrays.toString(this.shape) + " needs " + size * perElement
                    + (perElement == 1 ? " elements" : " values (a real and an imaginary part per element)")
                    + ", data has " + Array.getLength(data));
        }
        this.size = (int) size;
        if (declaredWidth >= 0 && dtype != DType.STRING && dtype != DType.BYTES) {
            throw new IllegalArgumentException("only str and bytes arrays have a width, not " + dtype);
        }
        this.declaredWidth = declaredWidth;
    }

    /**
     * This array with a declared element width (code points for str, bytes for bytes), as NumPy's {@code <U n} or
     * {@code |S n}; the width must hold the longest element.
     */
    public NdArray withWidth(int width) {
        if (dtype != DType.STRING && dtype != DType.BYTES) {
            throw new IllegalStateException("only str and bytes arrays have a width, not " + dtype);
        }
        if (width < longestElement()) {
            throw new IllegalArgumentException(
                    "width " + width + " is narrower than the longest element (" + longestElement() + ")");
        }
        return new NdArray(dtype, shape, data, width);
    }

    /** The element width of a str (code points) or bytes array: the declared one, else the longest element's (at least 1, as NumPy). */
    public int width() {
        if (dtype != DType.STRING && dtype != DType.BYTES) {
            throw new IllegalStateException("only str and bytes arrays have a width, not " + dtype);
        }
        return declaredWidth >= 0 ? declaredWidth : Math.max(1, longestElement());
    }

    private int longestElement() {
        int max = 0;
        if (dtype == DType.STRING) {
            for (String text : (String[]) data) {
                max = Math.max(max, text.codePointCount(0, text.length()));
            }
        } else {
            for (byte[] bytes : (byte[][]) data) {
                max = Math.max(max, bytes.length);
            }
        }
        return max;
    }

    /** An array of the given type; {@code data} is handed over. An empty shape is a 0-d scalar of one element. */
    public static NdArray of(DType dtype, Object data, int... shape) {
        return new NdArray(dtype, shape, data);
    }

    public static NdArray ofDoubles(double[] data, int... shape) {
        return new NdArray(DType.FLOAT64, shape, data);
    }

    public static NdArray ofFloats(float[] data, int... shape) {
        return new NdArray(DType.FLOAT32, shape, data);
    }

    public static NdArray ofLongs(long[] data, int... shape) {
        return new NdArray(DType.INT64, shape, data);
    }

    public static NdArray ofInts(int[] data, int... shape) {
        return new NdArray(DType.INT32, shape, data);
    }

    public static NdArray ofBooleans(boolean[] data, int... shape) {
        return new NdArray(DType.BOOL, shape, data);
    }

    public static NdArray ofStrings(String[] data, int... shape) {
        return new NdArray(DType.STRING, shape, data);
    }

    /** A 1-D array of doubles. */
    public static NdArray vector(double... data) {
        return ofDoubles(data, data.length);
    }

    public DType dtype() {
        return dtype;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** The number of elements (a complex element is one). */
    public int size() {
        return size;
    }

    /** The flat data array, not copied. */
    public Object data() {
        return data;
    }

    /** Element {@code index} of the flat data as a double (numeric and boolean types). */
    public double getDouble(int index) {
        switch (dtype) {
            case FLOAT64:
                return ((double[]) data)[index];
            case FLOAT32:
            case FLOAT16:
                return ((float[]) data)[index];
            case INT64:
                return ((long[]) data)[index];
            case UINT64:
                return unsignedToDouble(((long[]) data)[index]);
            case INT32:
                return ((int[]) data)[index];
            case UINT32:
                return Integer.toUnsignedLong(((int[]) data)[index]);
            case INT16:
                return ((short[]) data)[index];
            case UINT16:
                return Short.toUnsignedInt(((short[]) data)[index]);
            case INT8:
                return ((byte[]) data)[index];
            case UINT8:
                return Byte.toUnsignedInt(((byte[]) data)[index]);
            case BOOL:
                return ((boolean[]) data)[index] ? 1 : 0;
            case STRING:
            case BYTES:
                throw new IllegalStateException("dtype " + dtype + " is not numeric");
            case COMPLEX64:
            case COMPLEX128:
                throw new IllegalStateException("dtype " + dtype + " is complex, not real-valued");
        }
        throw new AssertionError(dtype);
    }

    private static double unsignedToDouble(long value) {
        double high = (double) (value >>> 1) * 2.0;
        return high + (value & 1);
    }

    /** Every element as a double, in C order (numeric and boolean types). */
    public double[] toDoubles() {
        double[] out = new double[size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = getDouble(i);
        }
        return out;
    }

    /** Equal dtype, shape and values; a declared width is not compared (NumPy's {@code array_equal} ignores it too). */
    @Override
    public boolean equals(Object other) {
        if (!(other instanceof NdArray)) {
            return false;
        }
        NdArray that = (NdArray) other;
        return dtype == that.dtype
                && Arrays.equals(shape, that.shape)
                && Objects.deepEquals(new Object[] {data}, new Object[] {that.data});
    }

    @Override
    public int hashCode() {
        return Objects.hash(dtype, Arrays.hashCode(shape), Arrays.deepHashCode(new Object[] {data}));
    }

    @Override
    public String toString() {
        String values = Arrays.deepToString(new Object[] {data});
        return "NdArray[" + dtype + ", shape=" + Arrays.toString(shape) + ", "
                + values.substring(1, values.length() - 1) + "]";
    }

    /** Element types, with their NumPy names. */
    public enum DType {
        FLOAT64(double[].class, "float64"),
        FLOAT32(float[].class, "float32"),
        /** Half precision, held as the {@code float} values a half can represent. */
        FLOAT16(float[].class, "float16"),
        INT64(long[].class, "int64"),
        INT32(int[].class, "int32"),
        INT16(short[].class, "int16"),
        INT8(byte[].class, "int8"),
        UINT64(long[].class, "uint64"),
        UINT32(int[].class, "uint32"),
        UINT16(short[].class, "uint16"),
        UINT8(byte[].class, "uint8"),
        BOOL(boolean[].class, "bool"),
        /** Unicode strings ({@code <U n}). */
        STRING(String[].class, "str"),
        /** Byte strings ({@code |S n}). */
        BYTES(byte[][].class, "bytes"),
        /** Single-precision complex: (real, imaginary) pairs, two floats per element. */
        COMPLEX64(float[].class, "complex64"),
        /** Double-precision complex: (real, imaginary) pairs, two doubles per element. */
        COMPLEX128(double[].class, "complex128");

        private final Class<?> storage;
        private final String numpyName;

        DType(Class<?> storage, String numpyName) {
            this.storage = storage;
            this.numpyName = numpyName;
        }

        /** The Java array class that holds the data. */
        public Class<?> storage() {
            return storage;
        }

        public String numpyName() {
            return numpyName;
        }

        /** Whether elements are (real, imaginary) pairs. */
        public boolean isComplex() {
            return this == COMPLEX64 || this == COMPLEX128;
        }
    }
}
