package io.smcontainers.env.core;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Python semantics over decoded JSON values: truthiness, {@code str()}, {@code repr()}, CLI rendering. */
public final class PyValues {
    private PyValues() {}

    /** Python truthiness: false for None, False, 0, 0.0, "", [] and {}; true for everything else (also the string "False"). */
    public static boolean truthy(Object value) {
        if (value == null) {
            return false;
        }
        if (value instanceof Boolean bool) {
            return bool;
        }
        if (value instanceof BigInteger integer) {
            return integer.signum() != 0;
        }
        if (value instanceof Number number) {
            return number.doubleValue() != 0 || Double.isNaN(number.doubleValue());
        }
        if (value instanceof String text) {
            return !text.isEmpty();
        }
        if (value instanceof List<?> list) {
            return !list.isEmpty();
        }
        if (value instanceof Map<?, ?> map) {
            return !map.isEmpty();
        }
        return true;
    }

    /** Python {@code str(value)}: strings as themselves, containers in repr form, None as {@code None}. */
    public static String str(Object value) {
        if (value instanceof String text) {
            return text;
        }
        return repr(value);
    }

    /**
     * How a hyperparameter value becomes one command-line argument: None is the empty string, a dict is
     * {@code k=v} pairs sorted by key and joined with {@code ,} (each side rendered with {@code str()}),
     * anything else is {@code str(value)}.
     */
    public static String argument(Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof Map<?, ?> map) {
            List<Map.Entry<?, ?>> entries = new ArrayList<>(map.entrySet());
            entries.sort(
                    (a, b) -> CodePointOrder.INSTANCE.compare(String.valueOf(a.getKey()), String.valueOf(b.getKey())));
            StringBuilder out = new StringBuilder();
            for (Map.Entry<?, ?> entry : entries) {
                if (out.length() > 0) {
                    out.append(',');
                }
                out.append(str(entry.getKey())).append('=').append(str(entry.getValue()));
            }
            return out.toString();
        }
        return str(value);
    }

    /** Python {@code repr(value)} for decoded JSON values; dicts keep their order. */
    public static String repr(Object value) {
        StringBuilder out = new StringBuilder();
        appendRepr(out, value);
        return out.toString();
    }

    private static void appendRepr(StringBuilder out, Object value) {
        if (value == null) {
            out.append("None");
        } else if (value instanceof String text) {
            appendStringRepr(out, text);
        } else if (value instanceof Boolean bool) {
            out.append(bool ? "True" : "False");
        } else if (value instanceof Double || value instanceof Float) {
            out.append(PyFloat.repr(((Number) value).doubleValue()));
        } else if (value instanceof Number) {
            out.append(value);
        } else if (value instanceof List<?> list) {
            out.append('[');
            boolean first = true;
            for (Object item : list) {
                if (!first) {
                    out.append(", ");
                }
                first = false;
                appendRepr(out, item);
            }
            out.append(']');
        } else if (value instanceof Map<?, ?> map) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                if (!first) {
                    out.append(", ");
                }
                first = false;
                appendRepr(out, entry.getKey());
                out.append(": ");
                appendRepr(out, entry.getValue());
            }
            out.append('}');
        } else {
            throw new IllegalArgumentException(
                    "not a decoded JSON value: " + value.getClass().getName());
        }
    }

    /** CPython's unicode_repr. */
    private static void appendStringRepr(StringBuilder out, String text) {
        char quote = (text.indexOf('\'') >= 0 && text.indexOf('"') < 0) ? '"' : '\'';
        out.append(quote);
        int i = 0;
        while (i < text.length()) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == quote || cp == '\\') {
                out.append('\\').appendCodePoint(cp);
            } else if (cp == '\t') {
                out.append("\\t");
            } else if (cp == '\n') {
                out.append("\\n");
            } else if (cp == '\r') {
                out.append("\\r");
            } else if (cp < ' ' || cp == 0x7f) {
                hexEscape(out, "\\x", cp, 2);
            } else if (cp < 0x7f || isPrintable(cp)) {
                out.appendCodePoint(cp);
            } else if (cp <= 0xff) {
                hexEscape(out, "\\x", cp, 2);
            } else if (cp <= 0xffff) {
                hexEscape(out, "\\u", cp, 4);
            } else {
                hexEscape(out, "\\U", cp, 8);
            }
        }
        out.append(quote);
    }

    private static void hexEscape(StringBuilder out, String prefix, int cp, int width) {
        String hex = Integer.toHexString(cp);
        out.append(prefix).append("0".repeat(width - hex.length())).append(hex);
    }

    /** Python's str.isprintable for one code point: not in Cc, Cf, Cs, Co, Cn, Zl, Zp, or Zs other than space. */
    static boolean isPrintable(int cp) {
        if (cp == ' ') {
            return true;
        }
        switch (Character.getType(cp)) {
            case Character.CONTROL:
            case Character.FORMAT:
            case Character.SURROGATE:
            case Character.PRIVATE_USE:
            case Character.UNASSIGNED:
            case Character.LINE_SEPARATOR:
            case Character.PARAGRAPH_SEPARATOR:
            case Character.SPACE_SEPARATOR:
                return false;
            default:
                return true;
        }
    }
}
