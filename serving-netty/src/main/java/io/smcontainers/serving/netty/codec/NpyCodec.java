package io.smcontainers.serving.netty.codec;

import io.smcontainers.framework.spi.InvocationException;
import io.smcontainers.framework.spi.NdArray;
import io.smcontainers.framework.spi.NdArray.DType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The NumPy {@code .npy} format, versions 1.0 to 3.0; object ({@code |O}) and structured dtypes are refused, never unpickled. */
public final class NpyCodec {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
    private static final Pattern TYPE = Pattern.compile("([<>|=])([fiubUS])(\\d+)");

    private NpyCodec() {}

    public static NdArray decode(byte[] body) {
        if (body.length < 10 || !startsWithMagic(body)) {
            throw bad("the body does not start with the NPY magic string \\x93NUMPY");
        }
        int major = body[6] & 0xff;
        int headerLength;
        int headerStart;
        if (major == 1) {
            headerLength = (body[8] & 0xff) | (body[9] & 0xff) << 8;
            headerStart = 10;
        } else if (major == 2 || major == 3) {
            if (body.length < 12) {
                throw bad("truncated header");
            }
            headerLength = ByteBuffer.wrap(body, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
            headerStart = 12;
        } else {
            throw bad("unsupported format version " + major + "." + (body[7] & 0xff));
        }
        if (headerLength < 0 || headerStart + (long) headerLength > body.length) {
            throw bad("the header says " + headerLength + " bytes but the body has " + (body.length - headerStart));
        }
        String header = new String(body, headerStart, headerLength, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        if (header.contains("'descr': [") || header.contains("'descr':[")) {
            throw new InvocationException(415, InvocationException.UNSUPPORTED_FORMAT,
                    "NPY arrays with structured dtypes are not supported: " + header.strip(), null);
        }
        Matcher descr = DESCR.matcher(header);
        Matcher fortran = FORTRAN.matcher(header);
        Matcher shapeMatch = SHAPE.matcher(header);
        if (!descr.find() || !fortran.find() || !shapeMatch.find()) {
            throw bad("the header is not a dict with 'descr', 'fortran_order' and 'shape': " + abbreviate(header));
        }
        String type = descr.group(1);
        if (type.contains("O")) {
            throw new InvocationException(415, InvocationException.UNSUPPORTED_FORMAT,
                    "NPY object arrays (dtype " + type + ") are not supported: they would need unpickling, which is unsafe", null);
        }
        Matcher typeMatch = TYPE.matcher(type);
        if (!typeMatch.matches()) {
            throw new InvocationException(415, InvocationException.UNSUPPORTED_FORMAT, "NPY dtype '" + type + "' is not supported", null);
        }
        int[] shape = parseShape(shapeMatch.group(1));
        long count = 1;
        for (int dimension : shape) {
            count *= dimension;
            if (count > Integer.MAX_VALUE) {
                throw bad("shape " + shapeMatch.group(1) + " is too large");
            }
        }
        ByteOrder order = typeMatch.group(1).equals(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        char kind = typeMatch.group(2).charAt(0);
        int width = Integer.parseInt(typeMatch.group(3));
        int itemSize = kind == 'U' ? width * 4 : width;
        int dataStart = headerStart + headerLength;
        long needed = count * itemSize;
        if (body.length - dataStart < needed) {
            throw bad("shape " + shapeMatch.group(1).strip() + " of " + type + " needs " + needed + " data bytes, the body has "
                    + (body.length - dataStart));
        }
        ByteBuffer data = ByteBuffer.wrap(body, dataStart, (int) needed).slice().order(order);
        NdArray array = read(kind, width, type, (int) count, data, shape);
        return fortran.group(1).equals("True") && shape.length > 1 ? fortranToC(array, shape) : array;
    }

    private static NdArray read(char kind, int width, String type, int count, ByteBuffer data, int[] shape) {
        switch (kind + Integer.toString(width)) {
            case "f8": { double[] out = new double[count]; data.asDoubleBuffer().get(out); return NdArray.of(DType.FLOAT64, out, shape); }
            case "f4": { float[] out = new float[count]; data.asFloatBuffer().get(out); return NdArray.of(DType.FLOAT32, out, shape); }
            case "f2": {
                float[] out = new float[count];
                for (int i = 0; i < count; i++) {
                    out[i] = halfToFloat(data.getShort(i * 2));
                }
                return NdArray.of(DType.FLOAT32, out, shape);
            }
            case "i8": { long[] out = new long[count]; data.asLongBuffer().get(out); return NdArray.of(DType.INT64, out, shape); }
            case "u8": { long[] out = new long[count]; data.asLongBuffer().get(out); return NdArray.of(DType.UINT64, out, shape); }
            case "i4": { int[] out = new int[count]; data.asIntBuffer().get(out); return NdArray.of(DType.INT32, out, shape); }
            case "u4": { int[] out = new int[count]; data.asIntBuffer().get(out); return NdArray.of(DType.UINT32, out, shape); }
            case "i2": { short[] out = new short[count]; data.asShortBuffer().get(out); return NdArray.of(DType.INT16, out, shape); }
            case "u2": { short[] out = new short[count]; data.asShortBuffer().get(out); return NdArray.of(DType.UINT16, out, shape); }
            case "i1": { byte[] out = new byte[count]; data.get(out); return NdArray.of(DType.INT8, out, shape); }
            case "u1": { byte[] out = new byte[count]; data.get(out); return NdArray.of(DType.UINT8, out, shape); }
            case "b1": {
                boolean[] out = new boolean[count];
                for (int i = 0; i < count; i++) {
                    out[i] = data.get(i) != 0;
                }
                return NdArray.of(DType.BOOL, out, shape);
            }
            default:
                break;
        }
        if (kind == 'U') {
            String[] out = new String[count];
            for (int i = 0; i < count; i++) {
                StringBuilder text = new StringBuilder(width);
                for (int j = 0; j < width; j++) {
                    int codePoint = data.getInt((i * width + j) * 4);
                    if (codePoint == 0) {
                        break;
                    }
                    if (!Character.isValidCodePoint(codePoint)) {
                        throw bad("invalid code point " + codePoint + " in a " + type + " array");
                    }
                    text.appendCodePoint(codePoint);
                }
                out[i] = text.toString();
            }
            return NdArray.of(DType.STRING, out, shape);
        }
        if (kind == 'S') {
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
            return NdArray.of(DType.BYTES, out, shape);
        }
        throw new InvocationException(415, InvocationException.UNSUPPORTED_FORMAT, "NPY dtype '" + type + "' is not supported", null);
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

    private static NdArray fortranToC(NdArray array, int[] shape) {
        int size = array.size();
        int rank = shape.length;
        int[] fortranStrides = new int[rank];
        int stride = 1;
        for (int d = 0; d < rank; d++) {
            fortranStrides[d] = stride;
            stride *= shape[d];
        }
        Object source = array.data();
        Object target = java.lang.reflect.Array.newInstance(source.getClass().getComponentType(), size);
        int[] index = new int[rank];
        for (int c = 0; c < size; c++) {
            int f = 0;
            for (int d = 0; d < rank; d++) {
                f += index[d] * fortranStrides[d];
            }
            System.arraycopy(source, f, target, c, 1);
            for (int d = rank - 1; d >= 0; d--) {
                if (++index[d] < shape[d]) {
                    break;
                }
                index[d] = 0;
            }
        }
        return NdArray.of(array.dtype(), target, shape);
    }

    private static int[] parseShape(String text) {
        List<Integer> dims = new ArrayList<>();
        for (String part : text.split(",")) {
            String trimmed = part.strip();
            if (trimmed.isEmpty()) {
                continue;
            }
            String digits = trimmed.endsWith("L") ? trimmed.substring(0, trimmed.length() - 1) : trimmed;
            try {
                int dimension = Integer.parseInt(digits);
                if (dimension < 0) {
                    throw bad("negative dimension in shape (" + text + ")");
                }
                dims.add(dimension);
            } catch (NumberFormatException e) {
                throw bad("shape (" + text + ") is not a tuple of integers");
            }
        }
        return dims.stream().mapToInt(Integer::intValue).toArray();
    }

    private static boolean startsWithMagic(byte[] body) {
        for (int i = 0; i < MAGIC.length; i++) {
            if (body[i] != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    private static String abbreviate(String text) {
        return text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }

    private static InvocationException bad(String reason) {
        return InvocationException.badRequest("Error while decoding npy: " + reason, null);
    }

    /** {@code np.save}: version 1.0 (2.0 for huge headers), little-endian, C order, 64-byte aligned preamble. */
    public static byte[] encode(Object value) {
        NdArray array = asArray(value);
        String descr = descr(array);
        int[] shape = array.shape();
        StringBuilder dict = new StringBuilder("{'descr': '").append(descr).append("', 'fortran_order': False, 'shape': (");
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
        ByteBuffer out = ByteBuffer.allocate(preamble + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
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
        Optional<NdArray> array = ArrayValues.fromTree(Trees.normalize(value));
        if (array.isEmpty()) {
            throw new InvocationException(500, "ValueError", "Error while encoding npy: a "
                    + (value == null ? "null" : value.getClass().getSimpleName())
                    + " that is not a regular array of numbers, strings or booleans would need a pickled object array, which is not written", null);
        }
        return array.get();
    }

    private static int maxLength(NdArray array) {
        int max = 1;
        if (array.dtype() == DType.STRING) {
            for (String text : (String[]) array.data()) {
                max = Math.max(max, text.codePointCount(0, text.length()));
            }
        } else {
            for (byte[] bytes : (byte[][]) array.data()) {
                max = Math.max(max, bytes.length);
            }
        }
        return max;
    }

    private static String descr(NdArray array) {
        switch (array.dtype()) {
            case FLOAT64: return "<f8";
            case FLOAT32: return "<f4";
            case INT64: return "<i8";
            case UINT64: return "<u8";
            case INT32: return "<i4";
            case UINT32: return "<u4";
            case INT16: return "<i2";
            case UINT16: return "<u2";
            case INT8: return "|i1";
            case UINT8: return "|u1";
            case BOOL: return "|b1";
            case STRING: return "<U" + maxLength(array);
            case BYTES: return "|S" + maxLength(array);
        }
        throw new AssertionError(array.dtype());
    }

    private static byte[] dataBytes(NdArray array, String descr) {
        int count = array.size();
        Object data = array.data();
        switch (array.dtype()) {
            case FLOAT64: { ByteBuffer b = little(count * 8); b.asDoubleBuffer().put((double[]) data); return b.array(); }
            case FLOAT32: { ByteBuffer b = little(count * 4); b.asFloatBuffer().put((float[]) data); return b.array(); }
            case INT64:
            case UINT64: { ByteBuffer b = little(count * 8); b.asLongBuffer().put((long[]) data); return b.array(); }
            case INT32:
            case UINT32: { ByteBuffer b = little(count * 4); b.asIntBuffer().put((int[]) data); return b.array(); }
            case INT16:
            case UINT16: { ByteBuffer b = little(count * 2); b.asShortBuffer().put((short[]) data); return b.array(); }
            case INT8:
            case UINT8: return ((byte[]) data).clone();
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
