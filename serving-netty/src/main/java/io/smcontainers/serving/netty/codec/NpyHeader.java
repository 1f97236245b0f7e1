package io.smcontainers.serving.netty.codec;

import io.smcontainers.framework.spi.InvocationException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An NPY header as numpy reads it: a Python literal ({@code ast.literal_eval}) that must be a dict with exactly the
 * keys {@code descr}, {@code fortran_order} (a bool) and {@code shape} (a tuple of non-negative ints).
 */
record NpyHeader(NpyType type, boolean fortranOrder, int[] shape, long count, String shapeText) {
    private static final Set<String> KEYS = Set.of("descr", "fortran_order", "shape");

    static NpyHeader parse(String header) {
        Object literal;
        try {
            Literal reader = new Literal(header);
            literal = reader.value(0);
            reader.end();
        } catch (IllegalArgumentException e) {
            throw NpyCodec.bad("the header is not a Python literal (" + e.getMessage() + "): " + abbreviate(header));
        }
        if (!(literal instanceof Map) || !((Map<?, ?>) literal).keySet().equals(KEYS)) {
            throw NpyCodec.bad("the header does not contain exactly the keys 'descr', 'fortran_order' and 'shape': "
                    + abbreviate(header));
        }
        Map<?, ?> dict = (Map<?, ?>) literal;
        Object descr = dict.get("descr");
        if (!(descr instanceof String)) {
            throw new InvocationException(
                    415,
                    InvocationException.UNSUPPORTED_FORMAT,
                    "NPY arrays with structured dtypes are not supported: " + abbreviate(header.strip()),
                    null);
        }
        if (!(dict.get("fortran_order") instanceof Boolean)) {
            throw NpyCodec.bad("fortran_order is not a valid bool: " + dict.get("fortran_order"));
        }
        if (!(dict.get("shape") instanceof Tuple)) {
            throw NpyCodec.bad("shape is not a tuple of ints: " + abbreviate(header));
        }
        List<?> dims = ((Tuple) dict.get("shape")).items();
        int[] shape = new int[dims.size()];
        long count = 1;
        boolean empty = false;
        for (int i = 0; i < shape.length; i++) {
            if (!(dims.get(i) instanceof BigInteger)) {
                throw NpyCodec.bad("shape is not a tuple of ints: " + abbreviate(header));
            }
            BigInteger dim = (BigInteger) dims.get(i);
            if (dim.signum() < 0) {
                throw NpyCodec.bad("negative dimensions are not allowed: " + dims);
            }
            if (dim.bitLength() > 31) {
                throw NpyCodec.bad("dimension " + dim + " is too large");
            }
            shape[i] = dim.intValue();
            empty |= shape[i] == 0;
            count = empty ? 0 : Math.min(count * shape[i], Long.MAX_VALUE / Integer.MAX_VALUE);
        }
        return new NpyHeader(
                NpyType.of((String) descr), (Boolean) dict.get("fortran_order"), shape, count, dims.toString());
    }

    private static String abbreviate(String text) {
        return text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }

    /** A Python tuple literal (a list literal parses to a List). */
    record Tuple(List<Object> items) {}

    /** The subset of Python literals a header can hold: str, int, True/False/None, tuple, list, dict. */
    private static final class Literal {
        private static final Object NONE = new Object();
        private static final int MAX_DEPTH = 64;
        private final String text;
        private int position;
        private int depth;

        Literal(String text) {
            this.text = text;
        }

        void end() {
            if (skip(position) != text.length()) {
                throw new IllegalArgumentException("unexpected text at " + skip(position));
            }
        }

        private int skip(int at) {
            int i = at;
            while (i < text.length()
                    && (text.charAt(i) == ' '
                            || text.charAt(i) == '\t'
                            || text.charAt(i) == '\n'
                            || text.charAt(i) == '\r'
                            || text.charAt(i) == '\f')) {
                i++;
            }
            return i;
        }

        Object value(int from) {
            int i = skip(from);
            if (i >= text.length()) {
                throw new IllegalArgumentException("unexpected end");
            }
            char c = text.charAt(i);
            if (c == '\'' || c == '"') {
                return string(i);
            }
            if ((c == '{' || c == '(' || c == '[') && ++depth > MAX_DEPTH) {
                throw new IllegalArgumentException("nested deeper than " + MAX_DEPTH + " levels");
            }
            if (c == '{') {
                Map<Object, Object> dict = new LinkedHashMap<>();
                i = skip(i + 1);
                while (i < text.length() && text.charAt(i) != '}') {
                    Object key = value(i);
                    i = skip(position);
                    expect(i, ':');
                    Object item = value(i + 1);
                    if (key instanceof List || key instanceof Map) {
                        throw new IllegalArgumentException("unhashable key");
                    }
                    dict.put(key, item);
                    i = separator(skip(position), '}');
                }
                expect(i, '}');
                position = i + 1;
                depth--;
                return dict;
            }
            if (c == '(' || c == '[') {
                char close = c == '(' ? ')' : ']';
                List<Object> items = new ArrayList<>();
                i = skip(i + 1);
                boolean comma = false;
                while (i < text.length() && text.charAt(i) != close) {
                    items.add(value(i));
                    int next = skip(position);
                    comma = next < text.length() && text.charAt(next) == ',';
                    i = separator(next, close);
                }
                if (i >= text.length()) {
                    throw new IllegalArgumentException("unclosed " + c);
                }
                position = i + 1;
                depth--;
                if (c == '(' && items.size() == 1 && !comma) {
                    return items.get(0);
                }
                return c == '(' ? new Tuple(items) : items;
            }
            if (c == '-' || c == '+' || (c >= '0' && c <= '9')) {
                return integer(i);
            }
            for (String word : new String[] {"True", "False", "None"}) {
                if (text.startsWith(word, i)
                        && (i + word.length() == text.length()
                                || !Character.isLetterOrDigit(text.charAt(i + word.length()))
                                        && text.charAt(i + word.length()) != '_')) {
                    position = i + word.length();
                    return word.equals("None") ? NONE : Boolean.valueOf(word.equals("True"));
                }
            }
            throw new IllegalArgumentException("unexpected '" + c + "' at " + i);
        }

        private void expect(int at, char c) {
            if (at >= text.length() || text.charAt(at) != c) {
                throw new IllegalArgumentException("expected '" + c + "' at " + at);
            }
        }

        private int separator(int at, char close) {
            if (at < text.length() && text.charAt(at) == ',') {
                return skip(at + 1);
            }
            expect(at, close);
            return at;
        }

        private Object integer(int from) {
            int i = from;
            boolean negative = false;
            while (i < text.length() && (text.charAt(i) == '-' || text.charAt(i) == '+')) {
                negative ^= text.charAt(i) == '-';
                i = skip(i + 1);
            }
            int start = i;
            StringBuilder digits = new StringBuilder();
            while (i < text.length() && ((text.charAt(i) >= '0' && text.charAt(i) <= '9') || text.charAt(i) == '_')) {
                if (text.charAt(i) != '_') {
                    digits.append(text.charAt(i));
                } else if (i + 1 >= text.length()
                        || text.charAt(i + 1) < '0'
                        || text.charAt(i + 1) > '9'
                        || i == start) {
                    throw new IllegalArgumentException("invalid number at " + from);
                }
                i++;
            }
            if (digits.length() == 0
                    || digits.length() > 4300
                    || (digits.length() > 1
                            && digits.charAt(0) == '0'
                            && !digits.chars().allMatch(d -> d == '0'))) {
                throw new IllegalArgumentException("invalid number at " + from);
            }
            if (i < text.length() && (text.charAt(i) == 'L' || text.charAt(i) == 'l')) {
                i++;
            }
            if (i < text.length() && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '.')) {
                throw new IllegalArgumentException("not an int at " + from);
            }
            position = i;
            BigInteger value = new BigInteger(digits.toString());
            return negative ? value.negate() : value;
        }

        private String string(int from) {
            char quote = text.charAt(from);
            StringBuilder out = new StringBuilder();
            int i = from + 1;
            while (true) {
                if (i >= text.length() || text.charAt(i) == '\n') {
                    throw new IllegalArgumentException("unterminated string at " + from);
                }
                char c = text.charAt(i);
                if (c == quote) {
                    position = i + 1;
                    return out.toString();
                }
                if (c == '\\' && i + 1 < text.length()) {
                    char escaped = text.charAt(i + 1);
                    switch (escaped) {
                        case 'n':
                            out.append('\n');
                            break;
                        case 't':
                            out.append('\t');
                            break;
                        case '\\':
                        case '\'':
                        case '"':
                            out.append(escaped);
                            break;
                        default:
                            out.append('\\').append(escaped);
                    }
                    i += 2;
                    continue;
                }
                out.append(c);
                i++;
            }
        }
    }
}
