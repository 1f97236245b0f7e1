package io.smcontainers.serving.netty.codec;

import io.smcontainers.env.core.PyFloat;
import io.smcontainers.framework.spi.InvocationException;
import io.smcontainers.framework.spi.NdArray;
import io.smcontainers.framework.spi.NdArray.DType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * {@code application/x-npz}: a ZIP of {@code .npy} members. A {@code scipy.sparse.save_npz} archive (members {@code format},
 * {@code shape}, {@code data} and {@code indices}/{@code indptr}, {@code row}/{@code col} or {@code offsets}; csr, csc, coo,
 * bsr, dia) becomes a dense 2-D {@link NdArray} of the matrix's dtype; any other archive a map from member name (without {@code .npy}) to array, in archive order.
 */
final class NpzDecoder {
    private static final long MAX_DENSE_ELEMENTS = 64L * 1024 * 1024;

    private NpzDecoder() {}

    static Object decode(byte[] body, long maxUncompressedBytes) {
        Map<String, NdArray> members = new LinkedHashMap<>();
        long total = 0;
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(body))) {
            ZipEntry entry;
            byte[] buffer = new byte[8192];
            while ((entry = zip.getNextEntry()) != null) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                int read;
                while ((read = zip.read(buffer)) > 0) {
                    total += read;
                    if (total > maxUncompressedBytes) {
                        throw bad("the archive expands beyond " + maxUncompressedBytes + " bytes");
                    }
                    out.write(buffer, 0, read);
                }
                String name = entry.getName().endsWith(".npy")
                        ? entry.getName().substring(0, entry.getName().length() - 4)
                        : entry.getName();
                members.put(name, NpyCodec.decode(out.toByteArray()));
            }
        } catch (IOException e) {
            throw InvocationException.badRequest("Error while decoding npz: " + e.getMessage(), e);
        }
        if (members.isEmpty()) {
            throw bad("the body is not a ZIP archive of .npy members");
        }
        if (!members.containsKey("format")) {
            return Collections.unmodifiableMap(members);
        }
        return sparseToDense(members);
    }

    private static NdArray sparseToDense(Map<String, NdArray> members) {
        String format = text(member(members, "format"));
        NdArray shape = member(members, "shape");
        if (shape.size() != 2) {
            throw bad("'shape' must hold two integers, got " + shape);
        }
        long rows = (long) shape.getDouble(0);
        long columns = (long) shape.getDouble(1);
        if (rows < 0 || columns < 0 || rows * columns > MAX_DENSE_ELEMENTS) {
            throw bad("a " + rows + " x " + columns + " sparse matrix is too large to densify (limit "
                    + MAX_DENSE_ELEMENTS + " elements)");
        }
        NdArray data = member(members, "data");
        Dense dense = new Dense(data, (int) rows, (int) columns);
        switch (format) {
            case "csr":
            case "csc": {
                double[] indices = member(members, "indices").toDoubles();
                double[] pointers = member(members, "indptr").toDoubles();
                long major = format.equals("csr") ? rows : columns;
                if (pointers.length != major + 1) {
                    throw bad("'indptr' has " + pointers.length + " entries, expected " + (major + 1));
                }
                for (int outer = 0; outer < major; outer++) {
                    for (long k = (long) pointers[outer]; k < (long) pointers[outer + 1]; k++) {
                        if (k < 0 || k >= data.size() || k >= indices.length) {
                            throw bad("'indptr' points outside 'data'");
                        }
                        long inner = (long) indices[(int) k];
                        dense.add(format.equals("csr") ? outer : inner, format.equals("csr") ? inner : outer, (int) k);
                    }
                }
                break;
            }
            case "coo": {
                double[] row = member(members, "row").toDoubles();
                double[] column = member(members, "col").toDoubles();
                if (row.length != data.size() || column.length != data.size()) {
                    throw bad("'row', 'col' and 'data' must have the same length");
                }
                for (int k = 0; k < data.size(); k++) {
                    dense.add((long) row[k], (long) column[k], k);
                }
                break;
            }
            case "bsr": {
                int[] blockShape = data.shape();
                if (blockShape.length != 3) {
                    throw bad("bsr 'data' must be 3-D, got " + blockShape.length + "-D");
                }
                int blockRows = blockShape[1];
                int blockColumns = blockShape[2];
                double[] indices = member(members, "indices").toDoubles();
                double[] pointers = member(members, "indptr").toDoubles();
                if (blockRows == 0
                        || blockColumns == 0
                        || rows % blockRows != 0
                        || columns % blockColumns != 0
                        || pointers.length != rows / blockRows + 1) {
                    throw bad("bsr blocks of " + blockRows + " x " + blockColumns + " do not tile a " + rows + " x "
                            + columns + " matrix");
                }
                for (int blockRow = 0; blockRow < pointers.length - 1; blockRow++) {
                    for (long k = (long) pointers[blockRow]; k < (long) pointers[blockRow + 1]; k++) {
                        if (k < 0 || k >= blockShape[0] || k >= indices.length) {
                            throw bad("'indptr' points outside 'data'");
                        }
                        long blockColumn = (long) indices[(int) k];
                        for (int i = 0; i < blockRows; i++) {
                            for (int j = 0; j < blockColumns; j++) {
                                dense.add((long) blockRow * blockRows + i, blockColumn * blockColumns + j, (int)
                                        ((k * blockRows + i) * blockColumns + j));
                            }
                        }
                    }
                }
                break;
            }
            case "dia": {
                double[] offsets = member(members, "offsets").toDoubles();
                int[] diagonalShape = data.shape();
                if (diagonalShape.length != 2 || diagonalShape[0] != offsets.length) {
                    throw bad("dia 'data' must be (diagonals, length) with one offset per diagonal");
                }
                int length = diagonalShape[1];
                for (int k = 0; k < offsets.length; k++) {
                    long offset = (long) offsets[k];
                    long end = Math.min(Math.min(columns, rows + offset), length);
                    for (long j = Math.max(0, offset); j < end; j++) {
                        dense.add(j - offset, j, (int) (k * (long) length + j));
                    }
                }
                break;
            }
            default:
                throw bad("sparse format '" + format + "' is not supported (csr, csc, coo, bsr, dia)");
        }
        return dense.array();
    }

    /** A dense matrix of the sparse data's dtype; duplicates add up as in scipy's {@code toarray()}. */
    private static final class Dense {
        private final NdArray data;
        private final Object source;
        private final Object target;
        private final int rows;
        private final int columns;

        Dense(NdArray data, int rows, int columns) {
            if (data.dtype() == DType.STRING || data.dtype() == DType.BYTES) {
                throw bad("'data' must be numeric, got " + data.dtype().numpyName());
            }
            this.data = data;
            this.source = data.data();
            this.rows = rows;
            this.columns = columns;
            int perElement = data.dtype().isComplex() ? 2 : 1;
            this.target = java.lang.reflect.Array.newInstance(
                    source.getClass().getComponentType(), rows * columns * perElement);
        }

        void add(long row, long column, int k) {
            if (row < 0 || row >= rows || column < 0 || column >= columns) {
                throw bad("index (" + row + ", " + column + ") is outside the " + rows + " x " + columns + " matrix");
            }
            int at = (int) (row * columns + column);
            switch (data.dtype()) {
                case FLOAT64:
                    ((double[]) target)[at] += ((double[]) source)[k];
                    break;
                case FLOAT32:
                    ((float[]) target)[at] += ((float[]) source)[k];
                    break;
                case FLOAT16:
                    ((float[]) target)[at] = PyFloat.toHalf(((float[]) target)[at] + ((float[]) source)[k]);
                    break;
                case COMPLEX128:
                    ((double[]) target)[2 * at] += ((double[]) source)[2 * k];
                    ((double[]) target)[2 * at + 1] += ((double[]) source)[2 * k + 1];
                    break;
                case COMPLEX64:
                    ((float[]) target)[2 * at] += ((float[]) source)[2 * k];
                    ((float[]) target)[2 * at + 1] += ((float[]) source)[2 * k + 1];
                    break;
                case INT64:
                case UINT64:
                    ((long[]) target)[at] += ((long[]) source)[k];
                    break;
                case INT32:
                case UINT32:
                    ((int[]) target)[at] += ((int[]) source)[k];
                    break;
                case INT16:
                case UINT16:
                    ((short[]) target)[at] += ((short[]) source)[k];
                    break;
                case INT8:
                case UINT8:
                    ((byte[]) target)[at] += ((byte[]) source)[k];
                    break;
                case BOOL:
                    ((boolean[]) target)[at] |= ((boolean[]) source)[k];
                    break;
                default:
                    throw new AssertionError(data.dtype());
            }
        }

        NdArray array() {
            return NdArray.of(data.dtype(), target, rows, columns);
        }
    }

    private static NdArray member(Map<String, NdArray> members, String name) {
        NdArray array = members.get(name);
        if (array == null) {
            throw bad("the sparse archive has no '" + name + "' member");
        }
        if (!name.equals("format") && (array.dtype() == DType.STRING || array.dtype() == DType.BYTES)) {
            throw bad("'" + name + "' must be numeric, got " + array.dtype().numpyName());
        }
        return array;
    }

    private static String text(NdArray array) {
        if (array.dtype() == DType.BYTES && array.size() == 1) {
            return new String(((byte[][]) array.data())[0], StandardCharsets.ISO_8859_1);
        }
        if (array.dtype() == DType.STRING && array.size() == 1) {
            return ((String[]) array.data())[0];
        }
        throw bad("'format' must be a single string");
    }

    private static InvocationException bad(String reason) {
        return InvocationException.badRequest("Error while decoding npz: " + reason, null);
    }
}
