package io.smcontainers.serving.netty.codec;

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
 * {@code shape}, {@code data} and {@code indices}/{@code indptr} or {@code row}/{@code col}) becomes a dense 2-D float64
 * {@link NdArray}; any other archive a map from member name (without {@code .npy}) to array, in archive order.
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
                String name = entry.getName().endsWith(".npy") ? entry.getName().substring(0, entry.getName().length() - 4) : entry.getName();
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
            throw bad("a " + rows + " x " + columns + " sparse matrix is too large to densify (limit " + MAX_DENSE_ELEMENTS + " elements)");
        }
        double[] dense = new double[(int) (rows * columns)];
        double[] data = member(members, "data").toDoubles();
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
                    for (int k = (int) pointers[outer]; k < (int) pointers[outer + 1]; k++) {
                        if (k < 0 || k >= data.length || k >= indices.length) {
                            throw bad("'indptr' points outside 'data'");
                        }
                        long inner = (long) indices[k];
                        long row = format.equals("csr") ? outer : inner;
                        long column = format.equals("csr") ? inner : outer;
                        put(dense, rows, columns, row, column, data[k]);
                    }
                }
                break;
            }
            case "coo": {
                double[] row = member(members, "row").toDoubles();
                double[] column = member(members, "col").toDoubles();
                if (row.length != data.length || column.length != data.length) {
                    throw bad("'row', 'col' and 'data' must have the same length");
                }
                for (int k = 0; k < data.length; k++) {
                    put(dense, rows, columns, (long) row[k], (long) column[k], data[k]);
                }
                break;
            }
            default:
                throw bad("sparse format '" + format + "' is not supported (csr, csc, coo)");
        }
        return NdArray.ofDoubles(dense, (int) rows, (int) columns);
    }

    private static void put(double[] dense, long rows, long columns, long row, long column, double value) {
        if (row < 0 || row >= rows || column < 0 || column >= columns) {
            throw bad("index (" + row + ", " + column + ") is outside the " + rows + " x " + columns + " matrix");
        }
        dense[(int) (row * columns + column)] += value;
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
