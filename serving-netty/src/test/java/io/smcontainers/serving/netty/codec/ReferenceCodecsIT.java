package io.smcontainers.serving.netty.codec;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcontainers.env.core.PyFloat;
import io.smcontainers.env.core.PyJson;
import io.smcontainers.framework.spi.InvocationException;
import io.smcontainers.framework.spi.InvocationResponse;
import io.smcontainers.framework.spi.Payload;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Every Content-Type x Accept pair of the default codecs against the reference encoders run in real python3 + numpy
 * 1.24 + scipy ({@code python/reference_codecs.py}) over a generated corpus: decode, identity predict, encode. The
 * script states where the runtime deliberately differs (README, "Deliberate differences") and what it must answer then.
 */
class ReferenceCodecsIT {
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final int GENERATED = 4000;

    private final DefaultCodecs codecs = new DefaultCodecs(MediaTypes.JSON, 256L << 20);

    @Test
    void everyContentTypeAndAcceptAnswersAsTheReference() throws Exception {
        assertTrue(
                Files.isExecutable(PYTHON) && hasNumpy(),
                "needs /usr/bin/python3 with numpy and scipy (python3-numpy, python3-scipy)");
        Map<String, int[]> tally = new TreeMap<>();
        StringBuilder report = new StringBuilder();
        int mismatches = 0;
        int cases = 0;
        Process process = new ProcessBuilder(
                        PYTHON.toString(), script().toString(), "20261201", Integer.toString(GENERATED))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                Map<?, ?> expected = (Map<?, ?>) PyJson.loads(line);
                String contentType = (String) expected.get("contentType");
                byte[] body = Base64.getDecoder().decode((String) expected.get("body"));
                cases++;
                for (Map.Entry<?, ?> entry : ((Map<?, ?>) expected.get("answers")).entrySet()) {
                    String accept = (String) entry.getKey();
                    Map<?, ?> answer = (Map<?, ?>) entry.getValue();
                    String ours = run(body, contentType, accept);
                    String theirs = answer.containsKey("ok")
                            ? "ok " + new String(Base64.getDecoder().decode((String) answer.get("ok")), ISO_8859_1)
                            : "error";
                    int[] counts = tally.computeIfAbsent(contentType + " -> " + accept, key -> new int[2]);
                    counts[0]++;
                    boolean same = ours.startsWith("error") ? theirs.equals("error") : ours.equals(theirs);
                    if (!same) {
                        counts[1]++;
                        mismatches++;
                        if (mismatches <= 25) {
                            report.append("\n")
                                    .append(contentType)
                                    .append(" -> ")
                                    .append(accept)
                                    .append(" body ")
                                    .append(printable(body))
                                    .append("\n  python ")
                                    .append(printable(theirs))
                                    .append(answer.containsKey("error") ? " (" + answer.get("error") + ")" : "")
                                    .append("\n  ours   ")
                                    .append(printable(ours));
                        }
                    }
                }
            }
        }
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "reference_codecs.py did not finish");
        assertEquals(0, process.exitValue(), "reference_codecs.py failed");
        assertTrue(cases > GENERATED, "only " + cases + " cases came back");
        StringBuilder summary = new StringBuilder();
        tally.forEach((pair, counts) -> summary.append("\n")
                .append(pair)
                .append(": ")
                .append(counts[1])
                .append(" of ")
                .append(counts[0]));
        assertEquals(0, mismatches, "mismatches per pair:" + summary + "\nfirst ones:" + report);
    }

    @Test
    void floatSpellingsAreNumpys() throws Exception {
        assertTrue(
                Files.isExecutable(PYTHON) && hasNumpy(),
                "needs /usr/bin/python3 with numpy and scipy (python3-numpy, python3-scipy)");
        Process process = new ProcessBuilder(PYTHON.toString(), script().toString(), "floats", "20261201", "20000")
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        int lines = 0;
        List<String> wrong = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                String[] fields = line.split(" ");
                double value = Double.longBitsToDouble(Long.parseUnsignedLong(fields[0], 16));
                String ours = PyFloat.repr(value) + " " + PyFloat.strFloat32((float) value) + " "
                        + PyFloat.strFloat16(PyFloat.toHalf(value));
                String theirs = fields[1] + " " + fields[2] + " " + fields[3];
                if (!ours.equals(theirs) && wrong.size() < 20) {
                    wrong.add(fields[0] + ": python " + theirs + ", ours " + ours);
                }
                lines++;
            }
        }
        assertTrue(
                process.waitFor(120, TimeUnit.SECONDS) && process.exitValue() == 0,
                "reference_codecs.py floats failed");
        assertTrue(lines > 40_000, "only " + lines + " values came back");
        assertEquals(List.of(), wrong);
    }

    private String run(byte[] body, String contentType, String accept) {
        Object value;
        try {
            value = codecs.decode(Payload.wrap(body), contentType);
        } catch (InvocationException e) {
            assertTrue(e.status() == 400 || e.status() == 415, "decode answered " + e.status() + ": " + e.getMessage());
            return "error decode " + e.getMessage();
        } catch (RuntimeException | StackOverflowError e) {
            return "crash " + e;
        }
        try {
            InvocationResponse response = codecs.encode(value, accept);
            byte[] bytes = response.body();
            return "ok " + new String(bytes, ISO_8859_1);
        } catch (InvocationException e) {
            assertTrue(e.status() == 500 || e.status() == 406, "encode answered " + e.status() + ": " + e.getMessage());
            return "error encode " + e.getMessage();
        } catch (RuntimeException | StackOverflowError e) {
            return "crash " + e;
        }
    }

    private static String printable(Object value) {
        String text = value instanceof byte[] ? new String((byte[]) value, ISO_8859_1) : value.toString();
        if (text.length() > 300) {
            text = text.substring(0, 300) + "...(" + text.length() + ")";
        }
        return PyJson.dumps(text);
    }

    private static boolean hasNumpy() throws IOException, InterruptedException {
        Process probe = new ProcessBuilder(PYTHON.toString(), "-c", "import numpy, scipy.sparse")
                .redirectErrorStream(true)
                .start();
        probe.getInputStream().readAllBytes();
        return probe.waitFor(60, TimeUnit.SECONDS) && probe.exitValue() == 0;
    }

    private static Path script() throws URISyntaxException {
        return Path.of(ReferenceCodecsIT.class
                .getResource("/python/reference_codecs.py")
                .toURI());
    }
}
