package io.smcontainers.env.core;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * JSON exactly as Python's {@code json} module reads and writes it, which is what user scripts see.
 *
 * <p>Reading ({@link #loads}) follows {@code json.loads}: the literals {@code NaN}, {@code Infinity} and
 * {@code -Infinity}; arbitrary-precision integers ({@link BigInteger}; like CPython 3.11, more than 4300
 * digits is refused); {@code 1.0}, {@code 1e5} and friends as {@link Double}; duplicate keys keep the
 * first position and the last value; raw control characters inside strings are errors; only
 * space, tab, CR and LF count as whitespace. Values come back as {@link String}, {@link Boolean},
 * {@link BigInteger}, {@link Double}, unmodifiable {@link List} and insertion-ordered unmodifiable
 * {@link Map}, and Java {@code null} for JSON null.
 *
 * <p>Writing ({@link #dumps}) follows {@code json.dumps(v, sort_keys=True, separators=(",", ":"))} with
 * {@code ensure_ascii}: keys in code-point order at every level, every character outside 0x20..0x7E
 * escaped as lower-case {@code \\uXXXX}, floats as Python's repr, non-finite numbers bare.
 * {@link #dumps(Object, Function)} is plain {@code json.dumps(value, default=...)}: {@code ", "} and {@code ": "},
 * keys in insertion order.
 */
public final class PyJson {
    private static final int MAX_INT_DIGITS = 4300;

    /**
     * The deepest nesting of arrays and objects {@link #loads} accepts. Python fails near 990 levels with a
     * RecursionError; this limit keeps every recursive walk over decoded values (writing, {@code repr}, masking) far
     * within the launcher's small thread stacks, and a deeper document is an error, never a StackOverflowError.
     */
    public static final int MAX_DEPTH = 200;

    /** Values we build ourselves hold decoded values a few levels down (SM_TRAINING_ENV > hyperparameters > value). */
    private static final int INTERNAL_MAX_DEPTH = MAX_DEPTH + 16;

    private PyJson() {}

    /** Why a text is not JSON for Python; {@link #position()} is the offset in UTF-16 units. */
    public static final class JsonSyntaxException extends Exception {
        private static final long serialVersionUID = 1L;
        private final int position;
        private final boolean tooDeep;

        JsonSyntaxException(String message, int position) {
            this(message, position, false);
        }

        JsonSyntaxException(String message, int position, boolean tooDeep) {
            super(message + " at position " + position);
            this.position = position;
            this.tooDeep = tooDeep;
        }

        public int position() {
            return position;
        }

        /** Whether the text is JSON nested deeper than {@link #MAX_DEPTH} (Python: a RecursionError, not a ValueError). */
        public boolean tooDeep() {
            return tooDeep;
        }
    }

    /** Python {@code json.loads}. */
    public static Object loads(String text) throws JsonSyntaxException {
        return loads(text, MAX_DEPTH);
    }

    /** {@link #loads} of a value the toolkit built from decoded values (a little deeper than any input). */
    static Object loadsInternal(String text) throws JsonSyntaxException {
        return loads(text, INTERNAL_MAX_DEPTH);
    }

    private static Object loads(String text, int maxDepth) throws JsonSyntaxException {
        Parser parser = new Parser(text, maxDepth);
        int start = parser.skipWhitespace(0);
        if (start < text.length() && text.charAt(start) == '\ufeff') {
            throw new JsonSyntaxException("Unexpected UTF-8 BOM", start);
        }
        Object value = parser.value(start);
        int end = parser.skipWhitespace(parser.position);
        if (end != text.length()) {
            throw new JsonSyntaxException("Extra data", end);
        }
        return value;
    }

    /** Python {@code json.dumps(value, sort_keys=True, separators=(",", ":"))} (ASCII only). */
    public static String dumps(Object value) {
        StringBuilder out = new StringBuilder();
        write(out, value, COMPACT_SORTED, 0);
        return out.toString();
    }

    /**
     * Python {@code json.dumps(value, default=fallback)}: separators {@code ", "} and {@code ": "}, keys in insertion
     * order (non-string keys converted as Python does), ASCII only. {@code fallback} is called for any value that is not
     * a String, Boolean, Java number, List, Map or null, and returns what to write instead (or throws).
     */
    public static String dumps(Object value, Function<Object, Object> fallback) {
        StringBuilder out = new StringBuilder(64);
        write(out, value, new Style(false, -1, ", ", ": ", fallback), 0);
        return out.toString();
    }

    /**
     * Python {@code json.dumps} with {@code indent} (null for compact) and {@code sort_keys}; ASCII only.
     * With an indent, separators are {@code ","} and {@code ": "} as in Python 3.
     */
    public static String dumps(Object value, boolean sortKeys, int indent) {
        StringBuilder out = new StringBuilder();
        write(
                out,
                value,
                indent >= 0
                        ? new Style(sortKeys, indent, ",", ": ", NO_FALLBACK)
                        : new Style(sortKeys, -1, ",", ":", NO_FALLBACK),
                0);
        return out.toString();
    }

    private static final Function<Object, Object> NO_FALLBACK = value -> {
        throw new IllegalArgumentException(
                "not a JSON value: " + value.getClass().getName());
    };
    private static final Style COMPACT_SORTED = new Style(true, -1, ",", ":", NO_FALLBACK);

    private record Style(
            boolean sortKeys,
            int indent,
            String itemSeparator,
            String keySeparator,
            Function<Object, Object> fallback) {}

    /** A JSON string literal with Python's {@code ensure_ascii} escaping. */
    public static void writeString(StringBuilder out, String text) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c >= 0x20 && c <= 0x7e) {
                        out.append(c);
                    } else {
                        appendUnicodeEscape(out, c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static void appendUnicodeEscape(StringBuilder out, char c) {
        out.append("\\u");
        String hex = Integer.toHexString(c);
        out.append("0".repeat(4 - hex.length())).append(hex);
    }

    private static void write(StringBuilder out, Object value, Style style, int depth) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof String text) {
            writeString(out, text);
        } else if (value instanceof Boolean bool) {
            out.append(bool ? "true" : "false");
        } else if (value instanceof Double || value instanceof Float) {
            out.append(floatText(((Number) value).doubleValue()));
        } else if (value instanceof BigInteger
                || value instanceof Long
                || value instanceof Integer
                || value instanceof Short
                || value instanceof Byte) {
            out.append(value);
        } else if (value instanceof Map<?, ?> map) {
            writeObject(out, map, style, depth);
        } else if (value instanceof List<?> list) {
            if (list.isEmpty()) {
                out.append("[]");
                return;
            }
            out.append('[');
            boolean first = true;
            for (Object item : list) {
                if (!first) {
                    out.append(style.itemSeparator());
                }
                first = false;
                newline(out, style.indent(), depth + 1);
                write(out, item, style, depth + 1);
            }
            newline(out, style.indent(), depth);
            out.append(']');
        } else {
            write(out, style.fallback().apply(value), style, depth);
        }
    }

    private static String floatText(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        return PyFloat.repr(d);
    }

    /** Python's conversion of a dict key: str as is, int and float as their JSON text, True/False/None as true/false/null. */
    private static String key(Object key) {
        if (key == null) {
            return "null";
        }
        if (key instanceof String text) {
            return text;
        }
        if (key instanceof Boolean bool) {
            return bool ? "true" : "false";
        }
        if (key instanceof Double || key instanceof Float) {
            return floatText(((Number) key).doubleValue());
        }
        if (key instanceof BigInteger
                || key instanceof Long
                || key instanceof Integer
                || key instanceof Short
                || key instanceof Byte) {
            return key.toString();
        }
        throw new IllegalArgumentException("keys must be str, int, float, bool or None, not "
                + key.getClass().getSimpleName());
    }

    private static void writeObject(StringBuilder out, Map<?, ?> map, Style style, int depth) {
        if (map.isEmpty()) {
            out.append("{}");
            return;
        }
        List<Map.Entry<String, Object>> entries = new ArrayList<>(map.size());
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            entries.add(Map.entry(key(entry.getKey()), entry.getValue() == null ? NullValue.NULL : entry.getValue()));
        }
        if (style.sortKeys()) {
            entries.sort((a, b) -> CodePointOrder.INSTANCE.compare(a.getKey(), b.getKey()));
        }
        out.append('{');
        boolean first = true;
        for (Map.Entry<String, Object> entry : entries) {
            if (!first) {
                out.append(style.itemSeparator());
            }
            first = false;
            newline(out, style.indent(), depth + 1);
            writeString(out, entry.getKey());
            out.append(style.keySeparator());
            Object item = entry.getValue() == NullValue.NULL ? null : entry.getValue();
            write(out, item, style, depth + 1);
        }
        newline(out, style.indent(), depth);
        out.append('}');
    }

    private static void newline(StringBuilder out, int indent, int depth) {
        if (indent >= 0) {
            out.append('\n').append(" ".repeat(indent * depth));
        }
    }

    /** Map.entry refuses nulls; this stands in for a null value while sorting. */
    private enum NullValue {
        NULL
    }

    private static final class Parser {
        private final String text;
        private final int maxDepth;
        private final java.util.ArrayDeque<String> keys = new java.util.ArrayDeque<>();
        private int position;
        private int depth;

        Parser(String text, int maxDepth) {
            this.text = text;
            this.maxDepth = maxDepth;
        }

        int skipWhitespace(int from) {
            int i = from;
            while (i < text.length()) {
                char c = text.charAt(i);
                if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                    break;
                }
                i++;
            }
            return i;
        }

        Object value(int at) throws JsonSyntaxException {
            if (at >= text.length()) {
                throw new JsonSyntaxException("Expecting value", at);
            }
            char c = text.charAt(at);
            switch (c) {
                case '"':
                    return string(at + 1);
                case '{':
                    enter(at);
                    Map<String, Object> object = object(at + 1);
                    depth--;
                    return object;
                case '[':
                    enter(at);
                    List<Object> array = array(at + 1);
                    depth--;
                    return array;
                case 'n':
                    return literal(at, "null", null);
                case 't':
                    return literal(at, "true", Boolean.TRUE);
                case 'f':
                    return literal(at, "false", Boolean.FALSE);
                case 'N':
                    return literal(at, "NaN", Double.NaN);
                case 'I':
                    return literal(at, "Infinity", Double.POSITIVE_INFINITY);
                default:
                    if (c == '-' && text.startsWith("-Infinity", at)) {
                        position = at + "-Infinity".length();
                        return Double.NEGATIVE_INFINITY;
                    }
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        return number(at);
                    }
                    throw new JsonSyntaxException("Expecting value", at);
            }
        }

        private void enter(int at) throws JsonSyntaxException {
            if (++depth > maxDepth) {
                StringBuilder message = new StringBuilder("Nested deeper than " + maxDepth + " levels");
                if (!keys.isEmpty()) {
                    // the outermost keys say where (the path can be as long as the nesting: show its start)
                    message.append(" under key ");
                    int shown = 0;
                    java.util.Iterator<String> path = keys.descendingIterator();
                    while (path.hasNext() && shown < 3) {
                        message.append(shown > 0 ? " > " : "")
                                .append(PyValues.repr(EnvironmentLog.shorten(path.next(), 80)));
                        shown++;
                    }
                    if (path.hasNext()) {
                        message.append(" > ...");
                    }
                }
                throw new JsonSyntaxException(message.toString(), at, true);
            }
        }

        private Object literal(int at, String word, Object result) throws JsonSyntaxException {
            if (!text.startsWith(word, at)) {
                throw new JsonSyntaxException("Expecting value", at);
            }
            position = at + word.length();
            return result;
        }

        private Object number(int at) throws JsonSyntaxException {
            int i = at;
            if (text.charAt(i) == '-') {
                i++;
            }
            int integerStart = i;
            if (i < text.length() && text.charAt(i) == '0') {
                i++;
            } else if (i < text.length() && text.charAt(i) >= '1' && text.charAt(i) <= '9') {
                while (i < text.length() && isDigit(text.charAt(i))) {
                    i++;
                }
            } else {
                throw new JsonSyntaxException("Expecting value", at);
            }
            int integerEnd = i;
            boolean isFloat = false;
            if (i + 1 < text.length() && text.charAt(i) == '.' && isDigit(text.charAt(i + 1))) {
                i += 2;
                while (i < text.length() && isDigit(text.charAt(i))) {
                    i++;
                }
                isFloat = true;
            }
            if (i < text.length() && (text.charAt(i) == 'e' || text.charAt(i) == 'E')) {
                int j = i + 1;
                if (j < text.length() && (text.charAt(j) == '+' || text.charAt(j) == '-')) {
                    j++;
                }
                if (j < text.length() && isDigit(text.charAt(j))) {
                    while (j < text.length() && isDigit(text.charAt(j))) {
                        j++;
                    }
                    i = j;
                    isFloat = true;
                }
            }
            position = i;
            String literal = text.substring(at, i);
            if (isFloat) {
                return Double.parseDouble(literal);
            }
            if (integerEnd - integerStart > MAX_INT_DIGITS) {
                throw new JsonSyntaxException("Exceeds the limit (4300 digits) for integer string conversion", at);
            }
            return new BigInteger(literal);
        }

        private static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }

        private String string(int from) throws JsonSyntaxException {
            StringBuilder out = null;
            int i = from;
            int chunkStart = from;
            while (true) {
                if (i >= text.length()) {
                    throw new JsonSyntaxException("Unterminated string starting", from - 1);
                }
                char c = text.charAt(i);
                if (c == '"') {
                    position = i + 1;
                    if (out == null) {
                        return text.substring(from, i);
                    }
                    return out.append(text, chunkStart, i).toString();
                }
                if (c < 0x20) {
                    throw new JsonSyntaxException("Invalid control character", i);
                }
                if (c != '\\') {
                    i++;
                    continue;
                }
                if (out == null) {
                    out = new StringBuilder();
                }
                out.append(text, chunkStart, i);
                if (i + 1 >= text.length()) {
                    throw new JsonSyntaxException("Unterminated string starting", from - 1);
                }
                char escape = text.charAt(i + 1);
                switch (escape) {
                    case '"' -> out.append('"');
                    case '\\' -> out.append('\\');
                    case '/' -> out.append('/');
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'u' -> {
                        out.append((char) hex4(i + 2, i));
                        i += 4;
                    }
                    default -> throw new JsonSyntaxException("Invalid \\escape", i);
                }
                i += 2;
                chunkStart = i;
            }
        }

        private int hex4(int at, int escapeStart) throws JsonSyntaxException {
            if (at + 4 > text.length()) {
                throw new JsonSyntaxException("Invalid \\uXXXX escape", escapeStart);
            }
            int result = 0;
            for (int k = 0; k < 4; k++) {
                int digit = Character.digit(text.charAt(at + k), 16);
                char c = text.charAt(at + k);
                boolean asciiHex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
                if (digit < 0 || !asciiHex) {
                    throw new JsonSyntaxException("Invalid \\uXXXX escape", escapeStart);
                }
                result = result * 16 + digit;
            }
            return result;
        }

        private Map<String, Object> object(int from) throws JsonSyntaxException {
            LinkedHashMap<String, Object> result = new LinkedHashMap<>();
            int i = skipWhitespace(from);
            if (i < text.length() && text.charAt(i) == '}') {
                position = i + 1;
                return Collections.unmodifiableMap(result);
            }
            while (true) {
                if (i >= text.length() || text.charAt(i) != '"') {
                    throw new JsonSyntaxException("Expecting property name enclosed in double quotes", i);
                }
                String key = string(i + 1);
                i = skipWhitespace(position);
                if (i >= text.length() || text.charAt(i) != ':') {
                    throw new JsonSyntaxException("Expecting ':' delimiter", i);
                }
                i = skipWhitespace(i + 1);
                keys.push(key);
                result.put(key, value(i));
                keys.pop();
                i = skipWhitespace(position);
                if (i < text.length() && text.charAt(i) == '}') {
                    position = i + 1;
                    return Collections.unmodifiableMap(result);
                }
                if (i >= text.length() || text.charAt(i) != ',') {
                    throw new JsonSyntaxException("Expecting ',' delimiter", i);
                }
                i = skipWhitespace(i + 1);
            }
        }

        private List<Object> array(int from) throws JsonSyntaxException {
            List<Object> result = new ArrayList<>();
            int i = skipWhitespace(from);
            if (i < text.length() && text.charAt(i) == ']') {
                position = i + 1;
                return Collections.unmodifiableList(result);
            }
            while (true) {
                result.add(value(i));
                i = skipWhitespace(position);
                if (i < text.length() && text.charAt(i) == ']') {
                    position = i + 1;
                    return Collections.unmodifiableList(result);
                }
                if (i >= text.length() || text.charAt(i) != ',') {
                    throw new JsonSyntaxException("Expecting ',' delimiter", i);
                }
                i = skipWhitespace(i + 1);
            }
        }
    }
}
