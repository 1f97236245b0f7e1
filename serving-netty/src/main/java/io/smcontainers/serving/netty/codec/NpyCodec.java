package io.smcontainers.serving.netty.codec;

import io.smcontainers.env.core.PyFloat;
import io.smcontainers.framework.spi.InvocationException;
import io.smcontainers.framework.spi.NdArray;
import io.smcontainers.framework.spi.NdArray.DType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** The NumPy {@code .npy} format, versions 1.0 to 3.0; object ({@code |O}) and structured dtypes are refused, never unpickled. */
public final class NpyCodec {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    private NpyCodec() {}

    public static NdArray decode(byte[] body) {
        if (body.length < 10 || !startsWithMagic(body)) {
            throw bad("the body does not start with the NPY magic string \\x93NUMPY");
        }
        int major = body[6] & 0xff;
        long headerLength;
        int headerStart;
        if (major == 1) {
            headerLength = (body[8] & 0xff) | (body[9] & 0xff) << 8;
            headerStart = 10;
        } else if (major == 2 || major == 3) {
            if (body.length < 12) {
                throw bad("truncated header");
            }
            headerLength = Integer.toUnsignedLong(
                    ByteBuffer.wrap(body, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt());
            headerStart = 12;
        } else {
            throw bad("unsupported format version " + major + "." + (body[7] & 0xff));
        }
        if (headerStart + headerLength > body.length) {
            throw bad("the header says " + headerLength + " bytes but the body has " + (body.length - headerStart));
        }
        String header = new String(
                body,
                headerStart,
                (int) headerLength,
                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        NpyHeader parsed = NpyHeader.parse(header);
        NpyType type = parsed.type();
        int dataStart = headerStart + (int) headerLength;
        long available = body.length - dataStart;
        long count = parsed.count();
        // never trust the declared size: the body must hold every element, and the element count is bounded by the body
        if (count != 0
                && type.itemSize() != 0
                && (type.itemSize() > available || count > available / type.itemSize())) {
            throw bad("shape " + parsed.shapeText() + " of " + type.descr() + " needs more data than the body's "
                    + available + " bytes");
        }
        if (count > Math.max(available, 1L << 20)) {
            throw bad("shape " + parsed.shapeText() + " has too many elements for a " + body.length + "-byte body");
        }
        long needed = count * type.itemSize();
        int[] shape = parsed.shape();
        ByteBuffer data = ByteBuffer.wrap(body, dataStart, (int) needed).slice().order(type.order());
        NdArray array = read(type, (int) count, data, shape);
        return parsed.fortranOrder() && shape.length > 1 ? fortranToC(array, shape) : array;
    }

    private static NdArray read(NpyType type, int count, ByteBuffer data, int[] shape) {
        switch (type.dtype()) {
            case FLOAT64: {
                double[] out = new double[count];
                data.asDoubleBuffer().get(out);
                return NdArray.of(DType.FLOAT64, out, shape);
            }
            case FLOAT32: {
                float[] out = new float[count];
                data.asFloatBuffer().get(out);
                return NdArray.of(DType.FLOAT32, out, shape);
            }
            case FLOAT16: {
                float[] out = new float[count];
                for (int i = 0; i < count; i++) {
                    out[i] = halfToFloat(data.getShort(i * 2));
                }
                return NdArray.of(DType.FLOAT16, out, shape);
            }
            case COMPLEX128: {
                double[] out = new double[count * 2];
                data.asDoubleBuffer().get(out);
                return NdArray.of(DType.COMPLEX128, out, shape);
            }
            case COMPLEX64: {
                float[] out = new float[count * 2];
                data.asFloatBuffer().get(out);
                return NdArray.of(DType.COMPLEX64, out, shape);
            }
            case INT64: {
                long[] out = new long[count];
                data.asLongBuffer().get(out);
                return NdArray.of(DType.INT64, out, shape);
            }
            case UINT64: {
                long[] out = new long[count];
                data.asLongBuffer().get(out);
                return NdArray.of(DType.UINT64, out, shape);
            }
            case INT32: {
                int[] out = new int[count];
                data.asIntBuffer().get(out);
                return NdArray.of(DType.INT32, out, shape);
            }
            case UINT32: {
                int[] out = new int[count];
                data.asIntBuffer().get(out);
                return NdArray.of(DType.UINT32, out, shape);
            }
            case INT16: {
                short[] out = new short[count];
                data.asShortBuffer().get(out);
                return NdArray.of(DType.INT16, out, shape);
            }
            case UINT16: {
                short[] out = new short[count];
                data.asShortBuffer().get(out);
                return NdArray.of(DType.UINT16, out, shape);
            }
            case INT8: {
                byte[] out = new byte[count];
                data.get(out);
                return NdArray.of(DType.INT8, out, shape);
            }
            case UINT8: {
                byte[] out = new byte[count];
                data.get(out);
                return NdArray.of(DType.UINT8, out, shape);
            }
            case BOOL: {
                boolean[] out = new boolean[count];
                for (int i = 0; i < count; i++) {
                    out[i] = data.get(i) != 0;
                }
                return NdArray.of(DType.BOOL, out, shape);
            }
            case STRING: {
                int width = type.width();
                String[] out = new String[count];
                for (int i = 0; i < count; i++) {
                    // numpy drops trailing NULs only: "a\0b" stays "a\0b"
                    int end = width;
                    while (end > 0 && data.getInt((i * width + end - 1) * 4) == 0) {
                        end--;
                    }
                    StringBuilder text = new StringBuilder(end);
                    for (int j = 0; j < end; j++) {
                        int codePoint = data.getInt((i * width + j) * 4);
                        if (!Character.isValidCodePoint(codePoint)) {
                            throw bad("invalid code point 0x" + Integer.toUnsignedString(codePoint, 16) + " in a "
                                    + type.descr() + " array");
                        }
                        text.appendCodePoint(codePoint);
                    }
                    out[i] = text.toString();
                }
                return NdArray.of(DType.STRING, out, shape).withWidth(width);
            }
            case BYTES: {
                int width = type.width();
                byte[][] out = new byte[count][];
                for (int i = 0; i < count; i++) {
                    int end = width;
                    while (end > 0 && data.get(i * width + end - 1) == 0) {
                        end--;
                    }
                    out[i] = new byte[end];
                    data.position(i * width);
                    data.get(out[i]);
                }
                return NdArray.of(DType.BYTES, out, shape).withWidth(width);
            }
        }
        throw new AssertionError(type);
    }

    private static float halfToFloat(short half) {
        int bits = half & 0xffff;
        int sign = (bits >>> 15) << 31;
        int exponent = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            float value = mantissa * 0x1p-24f;
            return sign == 0 ? value : -value;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    /** The IEEE half nearest to {@code value} (ties to even), as numpy's {@code astype(float16)}. */
    static short floatToHalf(float value) {
        if (Float.isNaN(value)) {
            int bits = Float.floatToRawIntBits(value);
            int payload = (bits >>> 13) & 0x3ff;
            return (short) (((bits >>> 16) & 0x8000) | 0x7c00 | (payload == 0 ? 0x200 : payload));
        }
        float rounded = PyFloat.toHalf(value);
        int sign = (Float.floatToRawIntBits(rounded) >>> 16) & 0x8000;
        float magnitude = Math.abs(rounded);
        if (Float.isInfinite(rounded)) {
            return (short) (sign | 0x7c00);
        }
        if (magnitude < 0x1p-14f) {
            return (short) (sign | Math.round(magnitude * 0x1p24f));
        }
        int exponent = Math.getExponent(magnitude);
        int mantissa = Math.round((magnitude / Math.scalb(1f, exponent) - 1f) * 1024f);
        return (short) (sign | ((exponent + 15) << 10) | mantissa);
    }

    private static NdArray fortranToC(NdArray array, int[] shape) {
        int size = array.size();
        int perElement = array.dtype().isComplex() ? 2 : 1;
        int rank = shape.length;
        int[] fortranStrides = new int[rank];
        int stride = 1;
        for (int d = 0; d < rank; d++) {
            fortranStrides[d] = stride;
            stride *= shape[d];
        }
        Object source = array.data();
        Object target = java.lang.reflect.Array.newInstance(source.getClass().getComponentType(), size * perElement);
        int[] index = new int[rank];
        for (int c = 0; c < size; c++) {
            int f = 0;
            for (int d = 0; d < rank; d++) {
                f += index[d] * fortranStrides[d];
            }
            System.arraycopy(source, f * perElement, target, c * perElement, perElement);
            for (int d = rank - 1; d >= 0; d--) {
                if (++index[d] < shape[d]) {
                    break;
                }
                index[d] = 0;
            }
        }
        NdArray c = NdArray.of(array.dtype(), target, shape);
        return array.dtype() == DType.STRING || array.dtype() == DType.BYTES ? c.withWidth(array.width()) : c;
    }

    private static boolean startsWithMagic(byte[] body) {
        for (int i = 0; i < MAGIC.length; i++) {
            if (body[i] != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    static InvocationException bad(String reason) {
        return InvocationException.badRequest("Error while decoding npy: " + reason, null);
    }

    /** {@code np.save}: version 1.0 (2.0 for huge headers), little-endian, C order, 64-byte aligned preamble. */
    public static byte[] encode(Object value) {
        NdArray array = asArray(value);
        String descr = descr(array);
        int[] shape = array.shape();
        StringBuilder dict =
                new StringBuilder("{'descr': '").append(descr).append("', 'fortran_order': False, 'shape': (");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) {
                dict.append(", ");
            }
            dict.append(shape[i]);
        }
        if (shape.length == 1) {
            dict.append(',');
        }
        dict.append("), }");
        int preamble = 10;
        int total = preamble + dict.length() + 1;
        int version = 1;
        if (total + 64 > 65535 + preamble) {
            version = 2;
            preamble = 12;
            total = preamble + dict.length() + 1;
        }
        int padding = (64 - total % 64) % 64;
        for (int i = 0; i < padding; i++) {
            dict.append(' ');
        }
        dict.append('\n');
        byte[] header = dict.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] data = dataBytes(array, descr);
        ByteBuffer out =
                ByteBuffer.allocate(preamble + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) version).put((byte) 0);
        if (version == 1) {
            out.putShort((short) header.length);
        } else {
            out.putInt(header.length);
        }
        out.put(header).put(data);
        return out.array();
    }

    private static NdArray asArray(Object value) {
        if (value instanceof NdArray) {
            return (NdArray) value;
        }
        Optional<NdArray> array;
        try {
            array = ArrayValues.fromTree(Trees.normalize(value));
        } catch (ArrayValues.NotAnArray e) {
            throw new InvocationException(500, "ValueError", "Error while encoding npy: " + e.getMessage(), null);
        }
        if (array.isEmpty()) {
            throw new InvocationException(
                    500,
                    "ValueError",
                    "Error while encoding npy: a "
                            + (value == null ? "null" : value.getClass().getSimpleName())
                            + " that is not a regular array of numbers, strings or booleans would need a pickled object array, which is not written",
                    null);
        }
        return array.get();
    }

    private static String descr(NdArray array) {
        switch (array.dtype()) {
            case FLOAT64:
                return "<f8";
            case FLOAT32:
                return "<f4";
            case FLOAT16:
                return "<f2";
            case COMPLEX128:
                return "<c16";
            case COMPLEX64:
                return "<c8";
            case INT64:
                return "<i8";
            case UINT64:
                return "<u8";
            case INT32:
                return "<i4";
            case UINT32:
                return "<u4";
            case INT16:
                return "<i2";
            case UINT16:
                return "<u2";
            case INT8:
                return "|i1";
            case UINT8:
                return "|u1";
            case BOOL:
                return "|b1";
            case STRING:
                return "<U" + array.width();
            case BYTES:
                return "|S" + array.width();
        }
        throw new AssertionError(array.dtype());
    }

    private static byte[] dataBytes(NdArray array, String descr) {
        int count = array.size();
        Object data = array.data();
        switch (array.dtype()) {
            case FLOAT64: {
                ByteBuffer b = little(count * 8);
                b.asDoubleBuffer().put((double[]) data);
                return b.array();
            }
            case FLOAT32: {
                ByteBuffer b = little(count * 4);
                b.asFloatBuffer().put((float[]) data);
                return b.array();
            }
            case COMPLEX128: {
                ByteBuffer b = little(count * 16);
                b.asDoubleBuffer().put((double[]) data);
                return b.array();
            }
            case COMPLEX64: {
                ByteBuffer b = little(count * 8);
                b.asFloatBuffer().put((float[]) data);
                return b.array();
            }
            case FLOAT16: {
                ByteBuffer b = little(count * 2);
                float[] values = (float[]) data;
                for (int i = 0; i < count; i++) {
                    b.putShort(i * 2, floatToHalf(values[i]));
                }
                return b.array();
            }
            case INT64:
            case UINT64: {
                ByteBuffer b = little(count * 8);
                b.asLongBuffer().put((long[]) data);
                return b.array();
            }
            case INT32:
            case UINT32: {
                ByteBuffer b = little(count * 4);
                b.asIntBuffer().put((int[]) data);
                return b.array();
            }
            case INT16:
            case UINT16: {
                ByteBuffer b = little(count * 2);
                b.asShortBuffer().put((short[]) data);
                return b.array();
            }
            case INT8:
            case UINT8:
                return ((byte[]) data).clone();
            case BOOL: {
                byte[] out = new byte[count];
                boolean[] values = (boolean[]) data;
                for (int i = 0; i < count; i++) {
                    out[i] = (byte) (values[i] ? 1 : 0);
                }
                return out;
            }
            case STRING: {
                int width = Integer.parseInt(descr.substring(2));
                ByteBuffer b = little(count * width * 4);
                String[] values = (String[]) data;
                for (int i = 0; i < count; i++) {
                    b.position(i * width * 4);
                    values[i].codePoints().forEach(b::putInt);
                }
                return b.array();
            }
            case BYTES: {
                int width = Integer.parseInt(descr.substring(2));
                byte[] out = new byte[count * width];
                byte[][] values = (byte[][]) data;
                for (int i = 0; i < count; i++) {
                    System.arraycopy(values[i], 0, out, i * width, values[i].length);
                }
                return out;
            }
        }
        throw new AssertionError(array.dtype());
    }

    private static ByteBuffer little(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }
}
