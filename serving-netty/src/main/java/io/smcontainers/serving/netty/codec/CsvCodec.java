package io.smcontainers.serving.netty.codec;

import io.smcontainers.framework.spi.InvocationException;
import io.smcontainers.framework.spi.NdArray;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.IntFunction;

/** {@code text/csv} as the sagemaker-containers reference: Python's csv module, squeeze, float64 when every cell parses. */
final class CsvCodec {
    /** Python csv's default {@code field_size_limit()}. */
    static final int FIELD_LIMIT = 131_072;

    private CsvCodec() {}

    static NdArray decode(byte[] body, Charset charset) {
        List<List<String>> rows = parse(MediaTypes.text(body, charset));
        int columns = rows.isEmpty() ? 0 : rows.get(0).size();
        for (int row = 1; row < rows.size(); row++) {
            if (rows.get(row).size() != columns) {
                throw InvocationException.badRequest(
                        "Error while decoding csv: rows have different lengths (record 1 has " + columns
                                + " fields, record " + (row + 1) + " has "
                                + rows.get(row).size() + ")",
                        null);
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
                return ArrayValues.numpyStrings(cells, dims);
            }
            numbers[i] = parsed.get();
        }
        return NdArray.ofDoubles(numbers, dims);
    }

    /**
     * Python's {@code float(text)} (what numpy 1.24 uses to cast str to float64): Unicode whitespace around, Unicode
     * decimal digits, underscores between digits, nan/inf/infinity in any case with a kept sign. A scan, never a regex.
     */
    static Optional<Double> pythonFloat(String text) {
        int start = 0;
        int end = text.length();
        while (start < end && isPythonSpace(text.charAt(start))) {
            start++;
        }
        while (end > start && isPythonSpace(text.charAt(end - 1))) {
            end--;
        }
        if (start == end) {
            return Optional.empty();
        }
        StringBuilder ascii = new StringBuilder(end - start);
        for (int i = start; i < end; ) {
            int c = text.codePointAt(i);
            i += Character.charCount(c);
            if (c < 0x80) {
                ascii.append((char) c);
            } else if (Character.getType(c) == Character.DECIMAL_DIGIT_NUMBER) {
                ascii.append((char) ('0' + Character.digit(c, 10)));
            } else {
                return Optional.empty();
            }
        }
        String s = ascii.toString();
        int i = 0;
        boolean negative = false;
        if (s.charAt(0) == '+' || s.charAt(0) == '-') {
            negative = s.charAt(0) == '-';
            i = 1;
        }
        String word = s.substring(i).toLowerCase(Locale.ROOT);
        if (word.equals("nan")) {
            return Optional.of(negative ? Double.longBitsToDouble(0xfff8000000000000L) : Double.NaN);
        }
        if (word.equals("inf") || word.equals("infinity")) {
            return Optional.of(negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY);
        }
        StringBuilder clean = new StringBuilder(s.length());
        clean.append(negative ? '-' : '+');
        int digits = digitRun(s, i, clean);
        if (digits < 0) {
            return Optional.empty();
        }
        i += digits;
        int fraction = 0;
        if (i < s.length() && s.charAt(i) == '.') {
            clean.append('.');
            fraction = digitRun(s, i + 1, clean);
            if (fraction < 0) {
                return Optional.empty();
            }
            i += 1 + fraction;
        }
        if (digits + fraction == 0) {
            return Optional.empty();
        }
        if (i < s.length() && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            clean.append('e');
            i++;
            if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                clean.append(s.charAt(i));
                i++;
            }
            int exponent = digitRun(s, i, clean);
            if (exponent <= 0) {
                return Optional.empty();
            }
            i += exponent;
        }
        if (i != s.length()) {
            return Optional.empty();
        }
        return Optional.of(Double.parseDouble(clean.toString()));
    }

    /** The length of the digit run at {@code from} (underscores only between digits), appending its digits; -1 if malformed. */
    private static int digitRun(String s, int from, StringBuilder out) {
        int i = from;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                out.append(c);
            } else if (c == '_') {
                if (i == from || i + 1 >= s.length() || s.charAt(i + 1) < '0' || s.charAt(i + 1) > '9') {
                    return -1;
                }
            } else {
                break;
            }
            i++;
        }
        return i - from;
    }

    /** The characters Python's {@code float()} strips: ASCII space, \t \n \v \f \r and non-ASCII Unicode whitespace. */
    static boolean isPythonSpace(char c) {
        return (c >= 0x09 && c <= 0x0d)
                || c == 0x20
                || c == 0x85
                || c == 0xa0
                || c == 0x1680
                || (c >= 0x2000 && c <= 0x200a)
                || c == 0x2028
                || c == 0x2029
                || c == 0x202f
                || c == 0x205f
                || c == 0x3000;
    }

    private enum State {
        START_RECORD,
        START_FIELD,
        IN_FIELD,
        IN_QUOTED_FIELD,
        QUOTE_IN_QUOTED_FIELD,
        EAT_CRNL
    }

    private static final int EOL = -2;

    /**
     * Python's {@code csv.reader(io.StringIO(text), strict=True)}, the state machine of CPython's {@code _csv.c}: lines
     * end at LF (a CR only before the line end), a blank line is a record with no fields, fields hold at most
     * {@link #FIELD_LIMIT} characters.
     */
    static List<List<String>> parse(String text) {
        List<List<String>> rows = new ArrayList<>();
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        State state = State.START_RECORD;
        int n = text.length();
        int lineStart = 0;
        int record = 1;
        while (lineStart < n) {
            int newline = text.indexOf('\n', lineStart);
            int lineEnd = newline < 0 ? n : newline + 1;
            for (int i = lineStart; i <= lineEnd; i++) {
                int c = i == lineEnd ? EOL : text.charAt(i);
                switch (state) {
                    case START_RECORD:
                        if (c == EOL) {
                            break;
                        }
                        if (c == '\n' || c == '\r') {
                            state = State.EAT_CRNL;
                            break;
                        }
                        state = State.START_FIELD;
                    // fall through
                    case START_FIELD:
                        if (c == '\n' || c == '\r' || c == EOL) {
                            fields.add(field.toString());
                            field.setLength(0);
                            state = c == EOL ? State.START_RECORD : State.EAT_CRNL;
                        } else if (c == '"') {
                            state = State.IN_QUOTED_FIELD;
                        } else if (c == ',') {
                            fields.add("");
                        } else {
                            add(field, c, record);
                            state = State.IN_FIELD;
                        }
                        break;
                    case IN_FIELD:
                        if (c == '\n' || c == '\r' || c == EOL) {
                            fields.add(field.toString());
                            field.setLength(0);
                            state = c == EOL ? State.START_RECORD : State.EAT_CRNL;
                        } else if (c == ',') {
                            fields.add(field.toString());
                            field.setLength(0);
                            state = State.START_FIELD;
                        } else {
                            add(field, c, record);
                        }
                        break;
                    case IN_QUOTED_FIELD:
                        if (c == '"') {
                            state = State.QUOTE_IN_QUOTED_FIELD;
                        } else if (c != EOL) {
                            add(field, c, record);
                        }
                        break;
                    case QUOTE_IN_QUOTED_FIELD:
                        if (c == '"') {
                            add(field, c, record);
                            state = State.IN_QUOTED_FIELD;
                        } else if (c == ',') {
                            fields.add(field.toString());
                            field.setLength(0);
                            state = State.START_FIELD;
                        } else if (c == '\n' || c == '\r' || c == EOL) {
                            fields.add(field.toString());
                            field.setLength(0);
                            state = c == EOL ? State.START_RECORD : State.EAT_CRNL;
                        } else {
                            throw error("',' expected after '\"' in record " + record);
                        }
                        break;
                    case EAT_CRNL:
                        if (c == EOL) {
                            state = State.START_RECORD;
                        } else if (c != '\n' && c != '\r') {
                            throw error("new-line character seen in unquoted field in record " + record
                                    + " (records end at \\n or \\r\\n)");
                        }
                        break;
                }
            }
            lineStart = lineEnd;
            if (state == State.START_RECORD) {
                rows.add(fields);
                fields = new ArrayList<>();
                record++;
            }
        }
        if (state != State.START_RECORD) {
            throw error("unexpected end of data (unterminated quote in record " + record + ")");
        }
        return rows;
    }

    private static void add(StringBuilder field, int c, int record) {
        if (field.length() >= FIELD_LIMIT) {
            throw error("field larger than field limit (" + FIELD_LIMIT + ") in record " + record);
        }
        field.append((char) c);
    }

    private static InvocationException error(String reason) {
        return InvocationException.badRequest("Error while decoding csv: " + reason, null);
    }

    /**
     * Python's csv writer over {@code np.array(value)}: 1-D → one value per line, 2-D → one line per row, every line
     * ends with LF; a 0-d value is written as one line (the reference fails); object arrays write {@code str()} per element.
     */
    static String encode(Object value) {
        if (value instanceof NdArray) {
            NdArray array = (NdArray) value;
            return write(array.shape(), index -> ArrayValues.csvField(array, index));
        }
        Object tree = Trees.normalize(value);
        int[] shape;
        try {
            shape = ArrayValues.shape(tree);
            Optional<NdArray> array = ArrayValues.fromTree(tree);
            if (array.isPresent()) {
                return encode(array.get());
            }
        } catch (ArrayValues.NotAnArray e) {
            throw new InvocationException(500, "ValueError", "Error while encoding csv: " + e.getMessage(), null);
        }
        List<Object> leaves = ArrayValues.leaves(tree, shape);
        return write(shape, index -> ArrayValues.objectCell(leaves.get(index)));
    }

    /** The text as UTF-8; a lone surrogate is an error, as in Python. */
    static byte[] utf8(String text) {
        try {
            ByteBuffer bytes = StandardCharsets.UTF_8
                    .newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(text));
            byte[] out = new byte[bytes.remaining()];
            bytes.get(out);
            return out;
        } catch (CharacterCodingException e) {
            throw new InvocationException(
                    500,
                    "UnicodeEncodeError",
                    "Error while encoding csv: 'utf-8' codec can't encode a lone surrogate",
                    e);
        }
    }

    private static String write(int[] shape, IntFunction<String> field) {
        int size = 1;
        for (int dimension : shape) {
            size *= dimension;
        }
        StringBuilder out = new StringBuilder(Math.max(16, size * 8));
        if (shape.length <= 1) {
            int rows = shape.length == 0 ? 1 : shape[0];
            for (int i = 0; i < rows; i++) {
                line(out, field, i, 1);
            }
            return out.toString();
        }
        if (shape.length == 2) {
            for (int row = 0; row < shape[0]; row++) {
                line(out, field, row * shape[1], shape[1]);
            }
            return out.toString();
        }
        throw new InvocationException(
                500,
                "ValueError",
                "Error while encoding csv: expected a 1-D or 2-D array, got " + shape.length + "-D",
                null);
    }

    private static void line(StringBuilder out, IntFunction<String> field, int offset, int count) {
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                out.append(',');
            }
            String text = field.apply(offset + i);
            if (text.indexOf(',') >= 0
                    || text.indexOf('"') >= 0
                    || text.indexOf('\n') >= 0
                    || (count == 1 && text.isEmpty())) {
                out.append('"').append(text.replace("\"", "\"\"")).append('"');
            } else {
                out.append(text);
            }
        }
        out.append('\n');
    }
}
