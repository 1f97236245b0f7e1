package io.smcontainers.env.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.math.BigInteger;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Generated hyperparameter values, decoded and rendered by us and by real {@code python3} with the
 * reference's rules: decoding decision, {@code SM_HP_*} value, CLI argument and repr must agree exactly.
 */
class PythonDifferentialIT {
    private static final int CASES = 6000;

    @Test
    void generatedValuesMatchPython() throws Exception {
        Random random = new Random(20261123L);
        List<String> inputs = new ArrayList<>();
        inputs.addAll(List.of(
                "",
                " ",
                " 5 ",
                "01",
                "-0",
                "-0.0",
                "1e400",
                "-1e400",
                "NaN",
                "-NaN",
                "Infinity",
                "-Infinity",
                "1.",
                ".5",
                "+1",
                "1e",
                "1E+2",
                "true ",
                "True",
                "null",
                "nul",
                "\"\\ud800\"",
                "\"\\ud83d\\ude00\"",
                "[1,]",
                "{\"a\":1,\"a\":2}",
                "\ufeff1",
                "\"a\tb\"",
                "9".repeat(4300),
                "9".repeat(4301),
                "[" + "[".repeat(50) + "]".repeat(51),
                "{\"\\u00e9\": 1, \"z\": [1.5, {\"y\": null}]}",
                "5e-324",
                "1.7976931348623157e308",
                "0.1",
                "1e16",
                "1e15",
                "123456789012345680000",
                "0.0001",
                "0.00001",
                "[\"it's\", \"say \\\"hi\\\"\", \"both ' \\\"\"]",
                "\"\\u0085\\u00a0\\u2028\\u200b\\ue000\\u0378\"",
                "{\"b\": {\"d\": 1, \"c\": 2}, \"a\": [\"\\u00ff\"]}"));
        for (int i = 0; i < CASES; i++) {
            inputs.add(generate(random));
        }

        List<List<Object>> expected = python(inputs);
        assertEquals(inputs.size(), expected.size());
        int mismatches = 0;
        StringBuilder report = new StringBuilder();
        for (int i = 0; i < inputs.size(); i++) {
            String raw = inputs.get(i);
            boolean decoded = true;
            Object value;
            try {
                value = PyJson.loads(raw);
            } catch (PyJson.JsonSyntaxException e) {
                value = raw;
                decoded = false;
            }
            List<Object> ours = List.of(decoded, EnvVars.format(value), PyValues.argument(value), PyValues.repr(value));
            if (!ours.equals(expected.get(i))) {
                mismatches++;
                if (mismatches <= 10) {
                    report.append("\ninput ")
                            .append(PyJson.dumps(raw))
                            .append("\n  python ")
                            .append(PyJson.dumps(expected.get(i)))
                            .append("\n  ours   ")
                            .append(PyJson.dumps(ours));
                }
            }
        }
        assertEquals(0, mismatches, report.toString());
    }

    private static String generate(Random random) {
        String document = PyJson.dumps(value(random, 0), false, random.nextInt(3) == 0 ? 1 : -1);
        switch (random.nextInt(8)) {
            case 0:
                // corrupt one character
                if (!document.isEmpty()) {
                    int at = random.nextInt(document.length());
                    return document.substring(0, at) + (char) (random.nextInt(0x7f)) + document.substring(at + 1);
                }
                return document;
            case 1:
                return document.substring(0, random.nextInt(document.length() + 1));
            case 2:
                return " \t\n" + document + "\r\n ";
            case 3:
                return Double.toString(Double.longBitsToDouble(random.nextLong()));
            case 4:
                return randomText(random, 6);
            default:
                return document;
        }
    }

    private static Object value(Random random, int depth) {
        int kind = random.nextInt(depth > 3 ? 6 : 9);
        switch (kind) {
            case 0:
                return null;
            case 1:
                return random.nextBoolean();
            case 2:
                return BigInteger.valueOf(random.nextLong())
                        .multiply(BigInteger.valueOf(random.nextInt(3) == 0 ? random.nextLong() : 1));
            case 3:
                double d = random.nextInt(4) == 0
                        ? Double.longBitsToDouble(random.nextLong())
                        : random.nextDouble() * Math.pow(10, random.nextInt(40) - 20);
                return d;
            case 4:
            case 5:
                return randomText(random, 8);
            case 6:
            case 7: {
                List<Object> list = new ArrayList<>();
                for (int i = random.nextInt(4); i > 0; i--) {
                    list.add(value(random, depth + 1));
                }
                return list;
            }
            default: {
                Map<String, Object> map = new LinkedHashMap<>();
                for (int i = random.nextInt(4); i > 0; i--) {
                    map.put(randomText(random, 4), value(random, depth + 1));
                }
                return map;
            }
        }
    }

    private static final int[] ALPHABET = {
        'a', 'Z', '0', ' ', '\'', '"', '\\', '/', '\t', '\n', 0x01, 0x7f, 0x85, 0xa0, 0xe9, 0xff, 0x2028, 0x200b,
        0x20ac, 0xff46, 0xe000, 0x378, 0x1f600, 0x1f46a, 0xd800, '{', '[', ':', ',', '-', '.', 'e'
    };

    private static String randomText(Random random, int maxLength) {
        StringBuilder out = new StringBuilder();
        for (int i = random.nextInt(maxLength + 1); i > 0; i--) {
            out.appendCodePoint(ALPHABET[random.nextInt(ALPHABET.length)]);
        }
        return out.toString();
    }

    @SuppressWarnings("unchecked")
    private static List<List<Object>> python(List<String> inputs)
            throws IOException, InterruptedException, URISyntaxException {
        Path script = Path.of(PythonDifferentialIT.class
                .getResource("/python/reference_values.py")
                .toURI());
        Process process = new ProcessBuilder("python3", script.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        Thread writer = new Thread(() -> {
            try (Writer out = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8)) {
                for (String input : inputs) {
                    out.write(PyJson.dumps(input));
                    out.write('\n');
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        writer.start();
        List<List<Object>> results = new ArrayList<>();
        try (BufferedReader in =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                try {
                    results.add((List<Object>) PyJson.loads(line));
                } catch (PyJson.JsonSyntaxException e) {
                    throw new IOException("python printed " + line, e);
                }
            }
        }
        writer.join();
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("python3 failed");
        }
        return results;
    }
}
