package io.smcontainers.launcher.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A {@code /metrics} body read by the Prometheus Python client's own text parser ({@code prometheus_client.parser}, Debian's
 * {@code python3-prometheus-client} under {@code /usr/bin/python3}): every sample as {@code name{label="value",...}} (labels
 * sorted by name) to its value, and every family's type.
 */
public final class PrometheusText {
    private static final String PYTHON = "/usr/bin/python3";
    private static final String PARSER = String.join(
            "\n",
            "import json, sys",
            "from prometheus_client.parser import text_string_to_metric_families",
            "for family in text_string_to_metric_families(sys.stdin.read()):",
            "    print('type\\t' + family.name + '\\t' + family.type)",
            "    for s in family.samples:",
            "        labels = ','.join('%s=\"%s\"' % (k, v) for k, v in sorted(s.labels.items()))",
            "        print('sample\\t' + s.name + '{' + labels + '}\\t' + json.dumps(s.value))");

    private final Map<String, Double> samples;
    private final Map<String, String> types;

    private PrometheusText(Map<String, Double> samples, Map<String, String> types) {
        this.samples = samples;
        this.types = types;
    }

    /** Parses {@code body}; fails with what to install when the parser is missing, and with its error when it rejects the body. */
    public static PrometheusText parse(String body) throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of(PYTHON))) {
            throw new AssertionError(
                    "needs " + PYTHON + " with prometheus_client: apt-get install -y python3-prometheus-client");
        }
        Process python = new ProcessBuilder(PYTHON, "-c", PARSER)
                .redirectErrorStream(true)
                .start();
        python.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
        python.getOutputStream().close();
        String out = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!python.waitFor(60, TimeUnit.SECONDS) || python.exitValue() != 0) {
            throw new AssertionError(
                    "prometheus_client.parser rejected the exposition (python3-prometheus-client installed?):\n" + out
                            + "\n--- body ---\n" + body);
        }
        Map<String, Double> samples = new LinkedHashMap<>();
        Map<String, String> types = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            String[] fields = line.split("\t", 3);
            if (fields[0].equals("type")) {
                types.put(fields[1], fields[2]);
            } else if (fields[0].equals("sample")) {
                samples.put(fields[1], Double.parseDouble(fields[2]));
            }
        }
        return new PrometheusText(samples, types);
    }

    /** The value of sample {@code key} ({@code name{a="1",b="2"}}, labels sorted by name); fails listing the samples of that name when absent. */
    public double value(String key) {
        Double value = samples.get(key);
        if (value == null) {
            String name = key.substring(0, key.indexOf('{'));
            StringBuilder known = new StringBuilder();
            samples.keySet().stream()
                    .filter(sample -> sample.startsWith(name + "{"))
                    .forEach(sample -> known.append("\n  ").append(sample));
            throw new AssertionError("no sample " + key + "; samples of " + name + ":" + known);
        }
        return value;
    }

    /** Whether sample {@code key} is there. */
    public boolean has(String key) {
        return samples.containsKey(key);
    }

    /** The type the parser gave family {@code name} (counter families are named without {@code _total}); null when absent. */
    public String type(String name) {
        return types.get(name);
    }

    /** Every sample, for messages. */
    public Map<String, Double> samples() {
        return samples;
    }
}
