package io.smcontainers.env.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The decoding table of training contract §3.1 and the formatting rules of Appendices A and B. */
class PythonValuesTest {
    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            256                                  | 256                         | 256
            0.001                                | 0.001                       | 0.001
            1.50                                 | 1.5                         | 1.5
            3.0                                  | 3.0                         | 3.0
            1e5                                  | 100000.0                    | 100000.0
            0.00001                              | 1e-05                       | 1e-05
            1e16                                 | 1e+16                       | 1e+16
            2.5e-3                               | 0.0025                      | 0.0025
            NaN                                  | nan                         | NaN
            Infinity                             | inf                         | Infinity
            -Infinity                            | -inf                        | -Infinity
            01                                   | 01                          | 01
            ` 5 `                                | 5                           | 5
            true                                 | True                        | true
            True                                 | True                        | True
            null                                 | ``                          | ``
            relu                                 | relu                        | relu
            "adam"                               | adam                        | adam
            ``                                   | ``                          | ``
            [64, 32]                             | [64, 32]                    | [64,32]
            `[1, "a", null, true]`               | `[1, 'a', None, True]`      | `[1,"a",null,true]`
            `["a", "b"]`                         | `['a', 'b']`                | `["a","b"]`
            []                                   | []                          | []
            {}                                   | ``                          | {}
            `{"b": "x", "a": 1}`                 | `a=1,b=x`                   | `{"a":1,"b":"x"}`
            `{"o": {"k": [1, {"z": null}]}, "a": "b c"}` | `a=b c,o={'k': [1, {'z': None}]}` | `{"a":"b c","o":{"k":[1,{"z":null}]}}`
            héllo                                | héllo                       | héllo
            "h\\u00e9llo"                        | héllo                       | héllo
            a b                                  | a b                         | a b
            1e400                                | inf                         | Infinity
            -0                                   | 0                           | 0
            -0.0                                 | -0.0                        | -0.0
            12345678901234567890                 | 12345678901234567890        | 12345678901234567890
            1E3                                  | 1000.0                      | 1000.0
            """)
    void decodingTable(String raw, String argument, String envValue) {
        Object value = Hyperparameters.decodeValue("x", raw);
        assertEquals(argument, PyValues.argument(value), "CLI argument");
        assertEquals(envValue, EnvVars.format(value), "SM_HP value");
    }

    @Test
    void nonStringValuesAreKept() {
        assertEquals(BigInteger.valueOf(5), Hyperparameters.decodeValue("x", BigInteger.valueOf(5)));
        assertEquals(true, Hyperparameters.decodeValue("x", true));
        assertEquals("True", PyValues.argument(true));
        assertEquals("[1, 2]", PyValues.argument(List.of(BigInteger.ONE, BigInteger.TWO)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            1000000000000000.0    | 1e15
            123456789.0           | 123456789
            1.2345678901234568e+16| 12345678901234567
            1.5e+300              | 1.5e300
            0.0001                | 0.0001
            1e-05                 | 0.00001
            5e-324                | 4.9e-324
            1.7976931348623157e+308 | 1.7976931348623157e308
            2.2250738585072014e-308 | 2.2250738585072014e-308
            0.1                   | 0.1
            0.30000000000000004   | 0.30000000000000004
            9007199254740992.0    | 9007199254740993
            """)
    void floatReprIsShortestRoundTrip(String expected, String input) {
        assertEquals(expected, PyFloat.repr(Double.parseDouble(input)));
    }

    @Test
    void floatReprOfZeroAndNonFinite() {
        assertEquals("0.0", PyFloat.repr(0.0));
        assertEquals("-0.0", PyFloat.repr(-0.0));
        assertEquals("nan", PyFloat.repr(Double.NaN));
        assertEquals("-inf", PyFloat.repr(Double.NEGATIVE_INFINITY));
    }

    @Test
    void stringReprChoosesQuotesAndEscapesLikeCPython() {
        assertEquals("'a'", PyValues.repr("a"));
        assertEquals("\"it's\"", PyValues.repr("it's"));
        assertEquals("'say \"hi\" it\\'s'", PyValues.repr("say \"hi\" it's"));
        assertEquals("'\\x07\\t\\n\\r\\\\\\x7f'", PyValues.repr("\u0007\t\n\r\\\u007f"));
        assertEquals("'\\xa0\\u2028\\u200b\\ue000'", PyValues.repr("\u00a0\u2028\u200b\ue000"));
        assertEquals("'é😀日'", PyValues.repr("é😀日"));
        assertEquals("'\\ud800'", PyValues.repr("\ud800"));
        assertEquals("'\\U000e0001'", PyValues.repr(new String(Character.toChars(0xe0001))));
    }

    @Test
    void truthinessIsPythons() {
        for (Object falsy : Arrays.asList(null, false, BigInteger.ZERO, 0.0, -0.0, "", List.of(), Map.of())) {
            assertFalse(PyValues.truthy(falsy), String.valueOf(falsy));
        }
        for (Object truthy : Arrays.asList(
                true, BigInteger.ONE, 0.5, Double.NaN, "False", "false ", "0", List.of(0), Map.of("a", 0))) {
            assertTrue(PyValues.truthy(truthy), String.valueOf(truthy));
        }
    }

    @Test
    void loadsKeepsFirstPositionAndLastValueOfDuplicateKeys() throws Exception {
        Map<?, ?> map = (Map<?, ?>) PyJson.loads("{\"a\": 1, \"b\": 2, \"a\": 3}");
        assertEquals(List.of("a", "b"), List.copyOf(map.keySet()));
        assertEquals(BigInteger.valueOf(3), map.get("a"));
    }

    @Test
    void loadsRejectsWhatPythonRejects() {
        for (String bad : List.of(
                "",
                " ",
                "01",
                "1.",
                ".5",
                "+1",
                "-",
                "[1,]",
                "{\"a\":1,}",
                "{'a':1}",
                "\"a\tb\"",
                "\"\\x\"",
                "\"\\u12\"",
                "tru",
                "-NaN",
                "nan",
                "1 2",
                "\ufeff1",
                "9".repeat(4301),
                "[".repeat(1001) + "]".repeat(1001))) {
            assertThrows(PyJson.JsonSyntaxException.class, () -> PyJson.loads(bad), bad);
        }
    }

    @Test
    void dumpsEscapesToAsciiAndSortsByCodePoint() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("\ud83d\ude00", 1.0);
        map.put("\uff46", null);
        map.put("b", List.of("é\n\u007f/"));
        assertEquals("{\"b\":[\"\\u00e9\\n\\u007f/\"],\"\\uff46\":null,\"\\ud83d\\ude00\":1.0}", PyJson.dumps(map));
        Map<String, Object> indented = new LinkedHashMap<>();
        indented.put("z", BigInteger.ONE);
        indented.put("a", List.of(true));
        assertEquals("{\n    \"z\": 1,\n    \"a\": [\n        true\n    ]\n}", PyJson.dumps(indented, false, 4));
    }
}
