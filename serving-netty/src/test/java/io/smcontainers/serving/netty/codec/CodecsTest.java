package io.smcontainers.serving.netty.codec;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcontainers.framework.spi.InvocationException;
import io.smcontainers.framework.spi.NdArray;
import io.smcontainers.framework.spi.Payload;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The default codecs, byte for byte against the reference's documented outputs (serving contract 3.8). */
class CodecsTest {
    private final DefaultCodecs codecs = new DefaultCodecs("application/json", 1 << 20);

    private static String json(Object value) {
        return JsonCodec.encode(value);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "36.0|36.0",
                "0.1|0.1",
                "1e-05|0.00001",
                "0.0001|0.0001",
                "1e+16|1e16",
                "1.2345678901234568e+17|123456789012345678",
                "123456789012345.0|123456789012345",
                "1234567890123456.0|1234567890123456",
                "-2.5|-2.5",
                "5e-324|4.9e-324",
                "1.7976931348623157e+308|1.7976931348623157e308",
                "0.30000000000000004|0.30000000000000004",
                "100.0|1e2"
            })
    void floatsPrintAsPythonRepr(String expected, double value) {
        assertEquals(expected, io.smcontainers.env.core.PyFloat.repr(value));
    }

    @Test
    void float32PrintsShortestInCsvAndWidenedInJson() {
        NdArray array = NdArray.ofFloats(new float[] {0.1f, 1e20f, 3f}, 3);
        assertEquals("0.1\n1e+20\n3.0\n", CsvCodec.encode(array));
        assertEquals("[0.10000000149011612, 1.0000000200408773e+20, 3.0]", json(array));
    }

    @Test
    void jsonEncodesLikePythonJsonDumps() {
        assertEquals("[42, 6, 9]", json(List.of(42, 6, 9)));
        assertEquals("[42.0, 6.0, 9.0]", json(NdArray.vector(42, 6, 9)));
        assertEquals("[\"42\", \"6\", \"9\"]", json(NdArray.ofStrings(new String[] {"42", "6", "9"}, 3)));
        Map<Object, Object> nested = new LinkedHashMap<>();
        nested.put(42L, Map.of("6", 9.0));
        assertEquals("{\"42\": {\"6\": 9.0}}", json(nested));
        assertEquals("{\"\\u00e9\": 1}", json(Map.of("é", 1)));
        assertEquals("[[1, 2], [3, 4]]", json(NdArray.ofLongs(new long[] {1, 2, 3, 4}, 2, 2)));
        assertEquals("7", json(NdArray.ofLongs(new long[] {7})));
        InvocationException error = assertThrows(InvocationException.class, () -> json(new Object()));
        assertEquals(500, error.status());
        assertEquals("TypeError", error.type());
    }

    @Test
    void jsonEscapesControlAndNonAsciiCharacters() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("é", List.of(true, Optional.empty(), Double.NaN, Double.NEGATIVE_INFINITY, "a\"b\\c\n\u0001\u007f"));
        assertEquals("{\"\\u00e9\": [true, null, NaN, -Infinity, \"a\\\"b\\\\c\\n\\u0001\\u007f\"]}", json(map));
        assertEquals("\"\\ud83d\\ude00\"", json("\uD83D\uDE00"));
    }

    @Test
    void jsonDecodesToArraysLikeNumpy() {
        assertEquals(NdArray.ofLongs(new long[] {42, 6, 9}, 3), decode("application/json", "[42, 6, 9]"));
        assertEquals(NdArray.vector(42, 6, 9), decode("application/json", "[42.0, 6, 9]"));
        assertEquals(
                NdArray.ofStrings(new String[] {"42", "6", "9"}, 3),
                decode("application/json", "[\"42\", \"6\", \"9\"]"));
        assertEquals(
                NdArray.ofStrings(new String[] {"1", "a", "2.5", "True"}, 4),
                decode("application/json", "[1, \"a\", 2.5, true]"));
        assertEquals(NdArray.ofLongs(new long[] {1, 2, 3, 4}, 2, 2), decode("application/json", "[[1, 2], [3, 4]]"));
        assertEquals(NdArray.ofLongs(new long[] {42}), decode("application/json", "42"));
        assertEquals(NdArray.ofDoubles(new double[0], 0), decode("application/json", "[]"));
        assertEquals(
                List.of(List.of(1L), List.of(2L, 3L)),
                decode("application/json", "[[1], [2, 3]]"),
                "ragged stays a tree");
        assertEquals(Map.of("a", 2L), decode("application/json", "{\"a\": 1, \"a\": 2}"), "last duplicate wins");
        assertEquals(
                List.of(new BigInteger("123456789012345678901234567890")),
                decode("application/json", "[123456789012345678901234567890]"));
        NdArray special = (NdArray) decode("application/json", "[NaN, Infinity, -Infinity]");
        assertTrue(Double.isNaN(special.getDouble(0)));
        assertEquals(Double.NEGATIVE_INFINITY, special.getDouble(2));
    }

    @Test
    void jsonNullDecodesToJavaNullAsTheSpiSays() {
        assertEquals(java.util.Arrays.asList(1L, null), decode("application/json", "[1, null]"));
        Map<String, Object> withNull = new java.util.LinkedHashMap<>();
        withNull.put("a", null);
        assertEquals(withNull, decode("application/json", "{\"a\": null}"));
        assertEquals(null, decode("application/json", "null"));
    }

    @Test
    void jsonDecodeErrorsAre400() {
        for (String bad : List.of("", "[1, 2", "[1] [2]", "{'a': 1}", "[1,]", "tru")) {
            InvocationException error =
                    assertThrows(InvocationException.class, () -> decode("application/json", bad), bad);
            assertEquals(400, error.status(), bad);
            assertTrue(error.getMessage().startsWith("Error while decoding json: "), error.getMessage());
        }
    }

    @Test
    void csvDecodesLikeTheReference() {
        assertEquals(NdArray.vector(42, 6, 9), decode("text/csv", "42\n6\n9\n"));
        assertEquals(NdArray.vector(42, 6, 9), decode("text/csv", "42.0\r\n6.0\r\n9.0\r\n"));
        assertEquals(NdArray.ofDoubles(new double[] {1, 2, 3, 4, 5, 6}, 2, 3), decode("text/csv", "1,2,3\n4,5,6\n"));
        assertEquals(NdArray.ofDoubles(new double[] {42}), decode("text/csv", "42"));
        assertEquals(NdArray.ofStrings(new String[] {"aaa", "bbb"}, 2), decode("text/csv", "aaa\nbbb\n"));
        assertEquals(NdArray.ofStrings(new String[] {"1", "a", "2", "b"}, 2, 2), decode("text/csv", "1,a\n2,b\n"));
        assertEquals(
                NdArray.ofStrings(new String[] {"False,", "True.", "False,"}, 3),
                decode("text/csv", "\"False,\"\n\"True.\"\n\"False,\"\n"));
        assertEquals(
                NdArray.ofStrings(new String[] {"aaa", "b\"bb", "ccc"}, 3),
                decode("text/csv", "aaa\n\"b\"\"bb\"\nccc\n"));
        assertEquals(NdArray.ofStrings(new String[] {"a\nb", "c"}, 2), decode("text/csv", "\"a\nb\"\nc\n"));
        assertEquals(NdArray.ofDoubles(new double[0], 0), decode("text/csv", ""));
        assertEquals(NdArray.vector(1000, Double.POSITIVE_INFINITY, 1.5), decode("text/csv", " 1_000 ,INF,1.5e0"));
    }

    @Test
    void csvDecodeErrorsAre400() {
        for (String bad : List.of("1,2\n3\n", "\"open\n", "\"a\"b\n", "1\n\n2\n")) {
            InvocationException error = assertThrows(InvocationException.class, () -> decode("text/csv", bad), bad);
            assertEquals(400, error.status());
            assertTrue(error.getMessage().startsWith("Error while decoding csv: "), error.getMessage());
        }
    }

    @Test
    void csvEncodesLikeTheReference() {
        assertEquals("42\n6\n9\n", CsvCodec.encode(List.of(42, 6, 9)));
        assertEquals("42.0\n6.0\n9.0\n", CsvCodec.encode(NdArray.vector(42, 6, 9)));
        assertEquals("42\n6\n9\n", CsvCodec.encode(List.of("42", "6", "9")));
        assertEquals("\"False,\"\nTrue.\n\"False,\"\n", CsvCodec.encode(List.of("False,", "True.", "False,")));
        assertEquals("aaa\n\"b\"\"bb\"\nccc\n", CsvCodec.encode(List.of("aaa", "b\"bb", "ccc")));
        assertEquals("\"a\nb\"\nc\n", CsvCodec.encode(List.of("a\nb", "c")));
        assertEquals("1.5,2.0\n3.0,4.0\n", CsvCodec.encode(List.of(List.of(1.5, 2), List.of(3, 4))));
        assertEquals("True\nFalse\n", CsvCodec.encode(List.of(true, false)));
        assertEquals("7\n", CsvCodec.encode(7));
        assertEquals("{'a': 1}\n", CsvCodec.encode(Map.of("a", 1)));
    }

    @Test
    void npyRoundTripsAndMatchesNumpyHeaders() {
        byte[] encoded = NpyCodec.encode(NdArray.vector(6, 9.3));
        String header = new String(encoded, 10, encoded.length - 10 - 16, UTF_8);
        assertEquals("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", header.strip());
        assertEquals(0, (10 + header.length()) % 64);
        assertEquals(1, encoded[6]);
        for (Object value : List.of(
                NdArray.ofLongs(new long[] {42, 6, 9}, 3),
                NdArray.vector(42, 6, 9),
                NdArray.ofStrings(new String[] {"42", "6", "9é"}, 3),
                NdArray.ofBooleans(new boolean[] {true, false}, 1, 2),
                NdArray.ofFloats(new float[] {1.5f}),
                NdArray.ofInts(new int[] {1, 2, 3, 4, 5, 6}, 2, 3))) {
            assertEquals(value, NpyCodec.decode(NpyCodec.encode(value)));
        }
        assertTrue(new String(NpyCodec.encode(List.of("42", "6", "9")), UTF_8).contains("'descr': '<U2'"));
        assertTrue(new String(NpyCodec.encode(List.of(1, 2)), UTF_8).contains("'descr': '<i8'"));
    }

    @Test
    void npyReadsFortranOrderAndBigEndian() {
        byte[] fortran = npy(
                "{'descr': '>i4', 'fortran_order': True, 'shape': (2, 3), }",
                new byte[] {0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 2, 0, 0, 0, 5, 0, 0, 0, 3, 0, 0, 0, 6});
        assertEquals(NdArray.ofInts(new int[] {1, 2, 3, 4, 5, 6}, 2, 3), NpyCodec.decode(fortran));
    }

    @Test
    void npyRefusesPickledAndStructuredArraysWith415() {
        InvocationException pickled = assertThrows(
                InvocationException.class,
                () -> NpyCodec.decode(npy("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", new byte[8])));
        assertEquals(415, pickled.status());
        InvocationException structured = assertThrows(
                InvocationException.class,
                () -> NpyCodec.decode(
                        npy("{'descr': [('a', '<i4')], 'fortran_order': False, 'shape': (1,), }", new byte[4])));
        assertEquals(415, structured.status());
        InvocationException truncated = assertThrows(
                InvocationException.class,
                () -> NpyCodec.decode(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", new byte[16])));
        assertEquals(400, truncated.status());
    }

    @Test
    void npzDecodesScipySparseMatricesToDense() throws Exception {
        NdArray dense = NdArray.ofDoubles(new double[] {1, 0, 2, 0, 0, 3}, 2, 3);
        byte[] csr = zip(Map.of(
                "format",
                NdArray.of(NdArray.DType.BYTES, new byte[][] {"csr".getBytes(UTF_8)}),
                "shape",
                NdArray.ofLongs(new long[] {2, 3}, 2),
                "data",
                NdArray.vector(1, 2, 3),
                "indices",
                NdArray.ofInts(new int[] {0, 2, 2}, 3),
                "indptr",
                NdArray.ofInts(new int[] {0, 2, 3}, 3)));
        assertEquals(dense, decode("application/x-npz", csr));
        byte[] coo = zip(Map.of(
                "format",
                NdArray.of(NdArray.DType.BYTES, new byte[][] {"coo".getBytes(UTF_8)}),
                "shape",
                NdArray.ofLongs(new long[] {2, 3}, 2),
                "data",
                NdArray.vector(1, 2, 3),
                "row",
                NdArray.ofInts(new int[] {0, 0, 1}, 3),
                "col",
                NdArray.ofInts(new int[] {0, 2, 2}, 3)));
        assertEquals(dense, decode("application/x-npz", coo));
        byte[] csc = zip(Map.of(
                "format",
                NdArray.of(NdArray.DType.BYTES, new byte[][] {"csc".getBytes(UTF_8)}),
                "shape",
                NdArray.ofLongs(new long[] {2, 3}, 2),
                "data",
                NdArray.vector(1, 2, 3),
                "indices",
                NdArray.ofInts(new int[] {0, 0, 1}, 3),
                "indptr",
                NdArray.ofInts(new int[] {0, 1, 1, 3}, 4)));
        assertEquals(dense, decode("application/x-npz", csc));
        assertEquals(
                400,
                assertThrows(InvocationException.class, () -> decode("application/x-npz", "not a zip"))
                        .status());
    }

    @Test
    void unsupportedTypesAre415And406() {
        InvocationException decode =
                assertThrows(InvocationException.class, () -> decode("application/octet-stream", "x"));
        assertEquals(415, decode.status());
        assertEquals("UnsupportedFormatError", decode.type());
        InvocationException encode =
                assertThrows(InvocationException.class, () -> codecs.encode(List.of(1), "application/octet-stream"));
        assertEquals(406, encode.status());
    }

    @Test
    void acceptCandidatesFollowQValuesAndWildcards() {
        assertEquals(
                List.of("text/csv", "application/json"),
                MediaTypes.candidates("application/json;q=0.5, text/csv", "application/json"));
        assertEquals(List.of("application/x-npy"), MediaTypes.candidates("*/*", "application/x-npy"));
        assertEquals(List.of("text/csv"), MediaTypes.candidates("text/*, application/json;q=0", "application/json"));
        assertEquals(
                List.of("unsupported/type", "text/csv"),
                MediaTypes.candidates("unsupported/type, text/csv", "application/json"));
        assertEquals("application/json", MediaTypes.effectiveAccept("*/*", "application/json"));
        assertEquals("text/csv", MediaTypes.effectiveAccept(null, "text/csv"));
        assertEquals("text/csv", MediaTypes.essence(" Text/CSV ; charset=UTF-8"));
        assertEquals(
                "ISO-8859-1", MediaTypes.charset("text/csv; charset=latin1").name());
    }

    private Object decode(String contentType, String body) {
        return codecs.decode(Payload.ofText(body), contentType);
    }

    private Object decode(String contentType, byte[] body) {
        return codecs.decode(Payload.wrap(body), contentType);
    }

    static byte[] npy(String dict, byte[] data) {
        StringBuilder header = new StringBuilder(dict);
        while ((10 + header.length() + 1) % 64 != 0) {
            header.append(' ');
        }
        header.append('\n');
        byte[] out = new byte[10 + header.length() + data.length];
        out[0] = (byte) 0x93;
        System.arraycopy("NUMPY".getBytes(UTF_8), 0, out, 1, 5);
        out[6] = 1;
        out[8] = (byte) header.length();
        out[9] = (byte) (header.length() >> 8);
        System.arraycopy(header.toString().getBytes(UTF_8), 0, out, 10, header.length());
        System.arraycopy(data, 0, out, 10 + header.length(), data.length);
        return out;
    }

    private static byte[] zip(Map<String, NdArray> members) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, NdArray> member : members.entrySet()) {
                zip.putNextEntry(new ZipEntry(member.getKey() + ".npy"));
                zip.write(NpyCodec.encode(member.getValue()));
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    @Test
    void defaultEncodeUsesTheFirstCandidateWithAnEncoder() {
        assertArrayEquals(
                "36.0\n".getBytes(UTF_8),
                codecs.encode(List.of(36.0), "fake/type, text/csv").body());
        assertEquals(
                "text/csv; charset=utf-8",
                codecs.encode(List.of(36.0), "fake/type, text/csv").contentType());
    }

    private static int status(Runnable call) {
        return assertThrows(InvocationException.class, call::run).status();
    }

    @Test
    void npyHeadersDeclaringMoreThanTheBodyHoldsAre400WithoutAllocating() {
        assertEquals(
                400,
                status(() -> NpyCodec.decode(
                        npy("{'descr': '<U536870913', 'fortran_order': False, 'shape': (1,), }", new byte[128]))));
        assertEquals(
                400,
                status(() -> NpyCodec.decode(
                        npy("{'descr': '<U1073741824', 'fortran_order': False, 'shape': (1,), }", new byte[128]))));
        assertEquals(
                400,
                status(() -> NpyCodec.decode(npy(
                        "{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904, 4), }",
                        new byte[64]))));
        assertEquals(
                400,
                status(() -> NpyCodec.decode(
                        npy("{'descr': '<U0', 'fortran_order': False, 'shape': (2000000000,), }", new byte[0]))));
    }

    @Test
    void npyHeadersAreReadAsPythonLiterals() {
        byte[] twoDoubles = java.nio.ByteBuffer.allocate(16)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putDouble(1.5)
                .putDouble(-2)
                .array();
        assertEquals(
                NdArray.vector(1.5, -2),
                NpyCodec.decode(npy("{'descr': 'f8', 'fortran_order': False, 'shape': (2,), }", twoDoubles)));
        assertEquals(
                NdArray.vector(1.5, -2),
                NpyCodec.decode(
                        npy("{\"descr\": \"float64\", \"fortran_order\": False, \"shape\": (2,)}", twoDoubles)));
        assertEquals(
                400,
                status(() -> NpyCodec.decode(
                        npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'extra': 1, }", twoDoubles))));
        assertEquals(
                400,
                status(() ->
                        NpyCodec.decode(npy("{'descr': '<f8', 'fortran_order': 0, 'shape': (2,), }", twoDoubles))));
        assertEquals(
                400,
                status(() -> NpyCodec.decode(
                        npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), } junk", twoDoubles))));
    }

    @Test
    void npyStringsLoseOnlyTrailingNulsAndKeepTheirDeclaredWidth() {
        byte[] data = "a\u0000b\u0000\u0000\u0000".getBytes(java.nio.charset.Charset.forName("UTF-32LE"));
        NdArray strings = NpyCodec.decode(npy("{'descr': '<U3', 'fortran_order': False, 'shape': (2,), }", data));
        assertArrayEquals(new String[] {"a\u0000b", ""}, (String[]) strings.data());
        assertTrue(new String(NpyCodec.encode(strings), UTF_8).contains("'descr': '<U3'"));
    }

    @Test
    void float16AndComplexStayTheirType() {
        NdArray half =
                NdArray.of(NdArray.DType.FLOAT16, new float[] {io.smcontainers.env.core.PyFloat.toHalf(113.3)}, 1);
        assertEquals("113.3\n", CsvCodec.encode(half));
        assertTrue(new String(NpyCodec.encode(half), UTF_8).contains("'descr': '<f2'"));
        assertEquals(half, NpyCodec.decode(NpyCodec.encode(half)));
        NdArray complex = NdArray.of(NdArray.DType.COMPLEX128, new double[] {1, 2, 0, -1.5}, 2);
        assertEquals("(1+2j)\n-1.5j\n", CsvCodec.encode(complex));
        assertEquals(complex, NpyCodec.decode(NpyCodec.encode(complex)));
        assertEquals(500, status(() -> JsonCodec.encode(complex)));
    }

    @Test
    void floatsJustBelowPowersOfTwoPrintAsPython() {
        assertEquals("7.120236347223045e-307\n", CsvCodec.encode(NdArray.vector(Math.scalb(1.0, -1017))));
        assertEquals("[7.120236347223045e-307]", json(NdArray.vector(Math.scalb(1.0, -1017))));
    }

    @Test
    void csvNumbersFollowPythonFloatWithoutARegex() {
        assertEquals(
                NdArray.ofDoubles(new double[] {Double.POSITIVE_INFINITY}),
                decode("text/csv", "9".repeat(5000).getBytes(UTF_8)));
        assertEquals(
                NdArray.vector(1, 12, 2.5, 10),
                decode("text/csv", "1\u00a0\n\u0661\u0662\n\u2003 2.5\n1_0\n".getBytes(UTF_8)));
        NdArray nan = (NdArray) decode("text/csv", "-nan\n".getBytes(UTF_8));
        assertEquals(0xfff8000000000000L, Double.doubleToRawLongBits(nan.getDouble(0)));
        assertEquals(NdArray.DType.STRING, ((NdArray) decode("text/csv", "\u001c1\n".getBytes(UTF_8))).dtype());
    }

    @Test
    void csvFramingIsPythonCsv() {
        assertEquals(400, status(() -> decode("text/csv", "1\r2\n".getBytes(UTF_8))));
        assertEquals(NdArray.vector(1, 2), decode("text/csv", "1\r\n2\r\n".getBytes(UTF_8)));
        assertEquals(
                NdArray.DType.STRING,
                ((NdArray) decode("text/csv", "x".repeat(131_072).getBytes(UTF_8))).dtype());
        assertEquals(400, status(() -> decode("text/csv", "x".repeat(131_073).getBytes(UTF_8))));
    }

    @Test
    void jsonIsDecodedAsPythonJsonLoads() {
        for (String body : List.of("[+Infinity]", "[-INF]", "[+INF]", "\ufeff[1]")) {
            assertEquals(400, status(() -> decode("application/json", body.getBytes(UTF_8))), body);
        }
        assertEquals(
                400,
                status(() -> decode("application/json", "[1, 2]".getBytes(java.nio.charset.StandardCharsets.UTF_16))));
        NdArray overlong =
                (NdArray) decode("application/json", new byte[] {'[', '"', (byte) 0xc0, (byte) 0xaf, '"', ']'});
        assertArrayEquals(new String[] {"\ufffd\ufffd"}, (String[]) overlong.data());
        assertEquals(400, status(() -> decode("application/json", ("[" + "9".repeat(4301) + "]").getBytes(UTF_8))));
        assertEquals(
                NdArray.DType.FLOAT64,
                ((NdArray) decode("application/json", ("[0." + "1".repeat(5000) + "]").getBytes(UTF_8))).dtype());
        assertEquals(
                400, status(() -> decode("application/json", ("[".repeat(33) + "1" + "]".repeat(33)).getBytes(UTF_8))));
    }

    @Test
    void jsonArraysTakeNumpysTypes() {
        assertTrue(new String(
                        codecs.encode(decode("application/json", "[1, \"a\"]".getBytes(UTF_8)), "application/x-npy")
                                .body(),
                        UTF_8)
                .contains("<U21"));
        assertTrue(new String(
                        codecs.encode(decode("application/json", "[1.5, \"a\"]".getBytes(UTF_8)), "application/x-npy")
                                .body(),
                        UTF_8)
                .contains("<U32"));
        assertTrue(new String(
                        codecs.encode(decode("application/json", "[true, \"a\"]".getBytes(UTF_8)), "application/x-npy")
                                .body(),
                        UTF_8)
                .contains("<U5"));
        assertEquals(
                NdArray.DType.UINT64,
                ((NdArray) decode("application/json", "[9223372036854775808]".getBytes(UTF_8))).dtype());
        assertEquals(
                NdArray.DType.FLOAT64,
                ((NdArray) decode("application/json", "[9223372036854775808, -1]".getBytes(UTF_8))).dtype());
        assertEquals("\"\"\n1\n", CsvCodec.encode(decode("application/json", "[null, 1]".getBytes(UTF_8))));
        assertEquals("b'\\x7f\\n'\n", CsvCodec.encode(NdArray.of(NdArray.DType.BYTES, new byte[][] {{0x7f, '\n'}}, 1)));
    }

    @Test
    void everyTruncatedOrMutatedNpyHeaderIsAClientError() {
        String header = "{'descr': '<U3', 'fortran_order': False, 'shape': (2, 1), }";
        String alphabet = "{}()[]',:\"-_0123456789LTrueFalsNon <>|U";
        java.util.Random random = new java.util.Random(20261201L);
        List<String> headers = new java.util.ArrayList<>();
        for (int end = 0; end < header.length(); end++) {
            headers.add(header.substring(0, end));
        }
        for (int round = 0; round < 1000; round++) {
            StringBuilder mutated = new StringBuilder(header);
            for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                mutated.setCharAt(random.nextInt(mutated.length()), alphabet.charAt(random.nextInt(alphabet.length())));
            }
            headers.add(mutated.toString());
        }
        headers.add("(".repeat(100_000) + ")".repeat(100_000));
        int refused = 0;
        for (String candidate : headers) {
            try {
                NpyCodec.decode(npy(candidate, new byte[24]));
            } catch (InvocationException e) {
                assertTrue(e.status() == 400 || e.status() == 415, candidate + " gave " + e.status());
                refused++;
            }
        }
        assertTrue(refused > headers.size() / 2, "only " + refused + " of " + headers.size() + " refused");
    }
}
