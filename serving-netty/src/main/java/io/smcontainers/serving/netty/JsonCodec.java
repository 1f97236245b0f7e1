package io.smcontainers.serving.netty;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import io.smcontainers.framework.spi.InvocationException;
import io.smcontainers.framework.spi.NdArray;
import java.io.IOException;
import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code application/json} as the reference does it: Python {@code json.loads} then {@code np.array}; {@code json.dumps} on the way out. */
final class JsonCodec {
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(1000)
                    .maxStringLength(Integer.MAX_VALUE)
                    .maxNumberLength(4300)
                    .build())
            .build();

    private JsonCodec() {}

    /** The body as an array when NumPy would make a regular one, else the JSON tree. */
    static Object decode(byte[] body, Charset charset) {
        Object tree = parse(body, charset);
        Optional<NdArray> array = ArrayValues.fromTree(tree);
        return array.isPresent() ? array.get() : tree;
    }

    /** Parses one JSON document into the SPI's JSON values (package io.smcontainers.framework.spi): Lists, Maps (insertion order, last duplicate wins), Strings, Longs, BigIntegers, Doubles, Booleans and null. */
    static Object parse(byte[] body, Charset charset) {
        try (JsonParser parser = charset.name().equals("UTF-8")
                ? FACTORY.createParser(body)
                : FACTORY.createParser(new String(body, charset))) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw InvocationException.badRequest("Error while decoding json: Expecting value: line 1 column 1 (char 0)", null);
            }
            Object value = read(parser, first);
            JsonToken extra = parser.nextToken();
            if (extra != null) {
                throw InvocationException.badRequest("Error while decoding json: Extra data after the document at "
                        + location(parser), null);
            }
            return value;
        } catch (JsonProcessingException e) {
            throw InvocationException.badRequest("Error while decoding json: " + e.getOriginalMessage() + " at " + location(e), e);
        } catch (IOException e) {
            throw InvocationException.badRequest("Error while decoding json: " + e.getMessage(), e);
        }
    }

    private static String location(JsonParser parser) {
        return "line " + parser.currentLocation().getLineNr() + " column " + parser.currentLocation().getColumnNr();
    }

    private static String location(JsonProcessingException e) {
        return e.getLocation() == null ? "unknown position" : "line " + e.getLocation().getLineNr() + " column " + e.getLocation().getColumnNr();
    }

    private static Object read(JsonParser parser, JsonToken token) throws IOException {
        switch (token) {
            case START_ARRAY: {
                List<Object> list = new ArrayList<>();
                JsonToken next;
                while ((next = parser.nextToken()) != JsonToken.END_ARRAY) {
                    list.add(read(parser, next));
                }
                return list;
            }
            case START_OBJECT: {
                Map<String, Object> map = new LinkedHashMap<>();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String name = parser.currentName();
                    map.put(name, read(parser, parser.nextToken()));
                }
                return map;
            }
            case VALUE_STRING:
                return parser.getText();
            case VALUE_NUMBER_INT:
                if (parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                    return parser.getBigIntegerValue();
                }
                return parser.getLongValue();
            case VALUE_NUMBER_FLOAT:
                return parser.getDoubleValue();
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            case VALUE_NULL:
                return null;
            default:
                throw InvocationException.badRequest("Error while decoding json: unexpected " + token + " at " + location(parser), null);
        }
    }

    /** {@code json.dumps(value)} with the reference's array fallback. */
    static String encode(Object value) {
        StringBuilder out = new StringBuilder(64);
        write(out, value);
        return out.toString();
    }

    private static void write(StringBuilder out, Object value) {
        if (value == null || (value instanceof Optional && ((Optional<?>) value).isEmpty())) {
            out.append("null");
        } else if (value instanceof Optional) {
            write(out, ((Optional<?>) value).get());
        } else if (value instanceof CharSequence || value instanceof Character) {
            string(out, value.toString());
        } else if (value instanceof Boolean) {
            out.append(((Boolean) value) ? "true" : "false");
        } else if (value instanceof Double || value instanceof Float) {
            out.append(PyRepr.jsonDouble(((Number) value).doubleValue()));
        } else if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte
                || value instanceof BigInteger) {
            out.append(value);
        } else if (value instanceof BigDecimal) {
            out.append(PyRepr.jsonDouble(((BigDecimal) value).doubleValue()));
        } else if (value instanceof NdArray) {
            array(out, (NdArray) value, 0, 0);
        } else if (value instanceof Map) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
                if (!first) {
                    out.append(", ");
                }
                first = false;
                string(out, key(entry.getKey()));
                out.append(": ");
                write(out, entry.getValue());
            }
            out.append('}');
        } else if (value instanceof Collection || value instanceof Object[]) {
            Collection<?> items = value instanceof Collection ? (Collection<?>) value : List.of((Object[]) value);
            out.append('[');
            boolean first = true;
            for (Object item : items) {
                if (!first) {
                    out.append(", ");
                }
                first = false;
                write(out, item);
            }
            out.append(']');
        } else if (value.getClass().isArray() && value.getClass() != byte[].class) {
            out.append('[');
            for (int i = 0, n = Array.getLength(value); i < n; i++) {
                if (i > 0) {
                    out.append(", ");
                }
                write(out, Array.get(value, i));
            }
            out.append(']');
        } else {
            throw notSerializable(value);
        }
    }

    static InvocationException notSerializable(Object value) {
        return new InvocationException(500, "TypeError",
                "Object of type " + value.getClass().getSimpleName() + " is not JSON serializable", null);
    }

    private static String key(Object key) {
        if (key instanceof String) {
            return (String) key;
        }
        if (key == null || (key instanceof Optional && ((Optional<?>) key).isEmpty())) {
            return "null";
        }
        if (key instanceof Boolean) {
            return ((Boolean) key) ? "true" : "false";
        }
        if (key instanceof Double || key instanceof Float) {
            return PyRepr.jsonDouble(((Number) key).doubleValue());
        }
        if (key instanceof Long || key instanceof Integer || key instanceof Short || key instanceof Byte || key instanceof BigInteger) {
            return key.toString();
        }
        throw new InvocationException(500, "TypeError",
                "keys must be str, int, float, bool or None, not " + key.getClass().getSimpleName(), null);
    }

    private static int array(StringBuilder out, NdArray array, int dimension, int offset) {
        int[] shape = array.shape();
        if (shape.length == 0) {
            element(out, array, 0);
            return 1;
        }
        out.append('[');
        int index = offset;
        for (int i = 0; i < shape[dimension]; i++) {
            if (i > 0) {
                out.append(", ");
            }
            if (dimension == shape.length - 1) {
                element(out, array, index++);
            } else {
                index += array(out, array, dimension + 1, index);
            }
        }
        out.append(']');
        return index - offset;
    }

    private static void element(StringBuilder out, NdArray array, int index) {
        switch (array.dtype()) {
            case FLOAT64:
                out.append(PyRepr.jsonDouble(((double[]) array.data())[index]));
                return;
            case FLOAT32:
                out.append(PyRepr.jsonDouble(((float[]) array.data())[index]));
                return;
            case BOOL:
                out.append(((boolean[]) array.data())[index] ? "true" : "false");
                return;
            case STRING:
                string(out, ((String[]) array.data())[index]);
                return;
            case BYTES:
                throw new InvocationException(500, "TypeError", "Object of type bytes is not JSON serializable", null);
            default:
                out.append(ArrayValues.csvField(array, index));
        }
    }

    /** A JSON string with {@code ensure_ascii}: every non-ASCII character as a lower-case {@code \\uXXXX} escape. */
    static void string(StringBuilder out, String value) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"': out.append("\\\""); break;
                case '\\': out.append("\\\\"); break;
                case '\n': out.append("\\n"); break;
                case '\r': out.append("\\r"); break;
                case '\t': out.append("\\t"); break;
                case '\b': out.append("\\b"); break;
                case '\f': out.append("\\f"); break;
                default:
                    if (c < 0x20 || c > 0x7e) {
                        out.append("\\u");
                        String hex = Integer.toHexString(c);
                        for (int pad = hex.length(); pad < 4; pad++) {
                            out.append('0');
                        }
                        out.append(hex);
                    } else {
                        out.append(c);
                    }
            }
        }
        out.append('"');
    }
}
