package io.smcontainers.serving.netty.codec;

import io.smcontainers.framework.spi.InvocationException;
import io.smcontainers.framework.spi.NdArray;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/** {@code text/csv} as the sagemaker-containers reference: Python's csv module, squeeze, float64 when every cell parses. */
final class CsvCodec {
    private static final Pattern PY_FLOAT = Pattern.compile(
            "[+-]?(?:(?:\\d(?:_?\\d)*)(?:\\.(?:\\d(?:_?\\d)*)?)?|\\.\\d(?:_?\\d)*)(?:[eE][+-]?\\d(?:_?\\d)*)?");
    private static final Pattern PY_SPECIAL = Pattern.compile("[+-]?(?:nan|inf|infinity)", Pattern.CASE_INSENSITIVE);

    private CsvCodec() {}

    static NdArray decode(byte[] body, Charset charset) {
        String text;
        try {
            text = charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw InvocationException.badRequest("Error while decoding csv: the body is not valid " + charset.name() + " text", e);
        }
        List<List<String>> rows = parse(text);
        int columns = rows.isEmpty() ? 0 : rows.get(0).size();
        for (int row = 1; row < rows.size(); row++) {
            if (rows.get(row).size() != columns) {
                throw InvocationException.badRequest("Error while decoding csv: rows have different lengths (record 1 has "
                        + columns + " fields, record " + (row + 1) + " has " + rows.get(row).size() + ")", null);
            }
        }
        String[] cells = new String[rows.size() * columns];
        int index = 0;
        for (List<String> row : rows) {
            for (String cell : row) {
                cells[index++] = cell;
            }
        }
        List<Integer> shape = new ArrayList<>();
        if (rows.isEmpty()) {
            shape.add(0);
        } else {
            if (rows.size() != 1) {
                shape.add(rows.size());
            }
            if (columns != 1) {
                shape.add(columns);
            }
        }
        int[] dims = shape.stream().mapToInt(Integer::intValue).toArray();
        double[] numbers = new double[cells.length];
        for (int i = 0; i < cells.length; i++) {
            Optional<Double> parsed = pythonFloat(cells[i]);
            if (parsed.isEmpty()) {
                return NdArray.ofStrings(cells, dims);
            }
            numbers[i] = parsed.get();
        }
        return NdArray.ofDoubles(numbers, dims);
    }

    /** Python's {@code float(text)}: surrounding whitespace, underscores between digits, nan/inf/infinity in any case. */
    static Optional<Double> pythonFloat(String text) {
        String trimmed = text.strip();
        if (PY_FLOAT.matcher(trimmed).matches()) {
            return Optional.of(Double.parseDouble(trimmed.replace("_", "")));
        }
        if (PY_SPECIAL.matcher(trimmed).matches()) {
            boolean negative = trimmed.startsWith("-");
            if (trimmed.toLowerCase(Locale.ROOT).endsWith("nan")) {
                return Optional.of(Double.NaN);
            }
            return Optional.of(negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY);
        }
        return Optional.empty();
    }

    /** Python's {@code csv.reader(..., strict=True)}: records end at LF, CRLF or CR outside quotes. */
    static List<List<String>> parse(String text) {
        List<List<String>> rows = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        int i = 0;
        int n = text.length();
        int record = 1;
        boolean rowStarted = false;
        while (i < n) {
            char c = text.charAt(i);
            if (c == '"' && field.length() == 0) {
                // quoted field
                rowStarted = true;
                i++;
                while (true) {
                    if (i >= n) {
                        throw InvocationException.badRequest("Error while decoding csv: unexpected end of data (unterminated quote in record "
                                + record + ")", null);
                    }
                    char q = text.charAt(i);
                    if (q == '"') {
                        if (i + 1 < n && text.charAt(i + 1) == '"') {
                            field.append('"');
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    field.append(q);
                    i++;
                }
                if (i < n && text.charAt(i) != ',' && text.charAt(i) != '\n' && text.charAt(i) != '\r') {
                    throw InvocationException.badRequest("Error while decoding csv: ',' expected after '\"' in record " + record, null);
                }
                continue;
            }
            if (c == ',') {
                row.add(field.toString());
                field.setLength(0);
                rowStarted = true;
                i++;
                continue;
            }
            if (c == '\n' || c == '\r') {
                if (rowStarted || field.length() > 0) {
                    row.add(field.toString());
                }
                rows.add(row);
                row = new ArrayList<>();
                field.setLength(0);
                rowStarted = false;
                record++;
                i += (c == '\r' && i + 1 < n && text.charAt(i + 1) == '\n') ? 2 : 1;
                continue;
            }
            field.append(c);
            rowStarted = true;
            i++;
        }
        if (rowStarted || field.length() > 0) {
            row.add(field.toString());
            rows.add(row);
        }
        return rows;
    }

    /** Python's csv writer over {@code np.array(value)}: 1-D → one value per line, 2-D → one line per row, every line ends with LF. */
    static String encode(Object value) {
        NdArray array = asArray(value);
        int[] shape = array.shape();
        StringBuilder out = new StringBuilder(Math.max(16, array.size() * 8));
        if (shape.length == 0) {
            line(out, array, 0, 1);
            return out.toString();
        }
        if (shape.length == 1) {
            for (int i = 0; i < shape[0]; i++) {
                line(out, array, i, 1);
            }
            return out.toString();
        }
        if (shape.length == 2) {
            for (int row = 0; row < shape[0]; row++) {
                line(out, array, row * shape[1], shape[1]);
            }
            return out.toString();
        }
        throw new InvocationException(500, "ValueError", "Error while encoding csv: expected a 1-D or 2-D array, got "
                + shape.length + "-D", null);
    }

    static NdArray asArray(Object value) {
        if (value instanceof NdArray) {
            return (NdArray) value;
        }
        Optional<NdArray> array = ArrayValues.fromTree(Trees.normalize(value));
        if (array.isEmpty()) {
            throw new InvocationException(500, "ValueError", "Error while encoding csv: a "
                    + (value == null ? "null" : value.getClass().getSimpleName())
                    + " that is not a regular array of numbers, strings or booleans cannot be written as CSV", null);
        }
        return array.get();
    }

    private static void line(StringBuilder out, NdArray array, int offset, int count) {
        if (count == 1 && array.dtype() == NdArray.DType.STRING && ((String[]) array.data())[offset].isEmpty()) {
            out.append("\"\"\n");
            return;
        }
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                out.append(',');
            }
            String field = ArrayValues.csvField(array, offset + i);
            if (field.indexOf(',') >= 0 || field.indexOf('"') >= 0 || field.indexOf('\n') >= 0) {
                out.append('"').append(field.replace("\"", "\"\"")).append('"');
            } else {
                out.append(field);
            }
        }
        out.append('\n');
    }
}
