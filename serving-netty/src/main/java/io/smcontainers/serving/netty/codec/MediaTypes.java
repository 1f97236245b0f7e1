package io.smcontainers.serving.netty.codec;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** Content type and Accept resolution (serving contract 3.4, 3.5): case- and parameter-insensitive matching, q-values, wildcards. */
public final class MediaTypes {
    public static final String JSON = "application/json";
    static final String CSV = "text/csv";
    static final String NPY = "application/x-npy";
    static final String NPZ = "application/x-npz";
    /** The encoders, in the order {@code type/*} expands to. */
    public static final List<String> ENCODABLE = List.of(JSON, CSV, NPY);

    private MediaTypes() {}

    /** {@code "Text/CSV; charset=utf-8"} → {@code "text/csv"}. */
    public static String essence(String mediaType) {
        int semicolon = mediaType.indexOf(';');
        String type = semicolon < 0 ? mediaType : mediaType.substring(0, semicolon);
        return type.strip().toLowerCase(Locale.ROOT);
    }

    /** The {@code charset} parameter, UTF-8 when absent or unknown. */
    static Charset charset(String mediaType) {
        for (String parameter : mediaType.split(";")) {
            int equals = parameter.indexOf('=');
            if (equals > 0 && parameter.substring(0, equals).strip().equalsIgnoreCase("charset")) {
                String name = parameter.substring(equals + 1).strip().replace("\"", "");
                try {
                    return Charset.forName(name);
                } catch (RuntimeException e) {
                    return StandardCharsets.UTF_8;
                }
            }
        }
        return StandardCharsets.UTF_8;
    }

    /** A text body as Flask's {@code get_data(as_text=True)} reads it: undecodable bytes become U+FFFD. */
    static String text(byte[] body, Charset charset) {
        String text = new String(body, charset);
        if (!charset.equals(StandardCharsets.UTF_8) || text.indexOf('\uFFFD') < 0) {
            return text;
        }
        return pythonUtf8(body);
    }

    /** Python's {@code bytes.decode('utf-8', 'replace')}: one U+FFFD per maximal invalid subpart (overlongs never decode). */
    private static String pythonUtf8(byte[] body) {
        StringBuilder out = new StringBuilder(body.length);
        int n = body.length;
        int i = 0;
        while (i < n) {
            int lead = body[i] & 0xff;
            if (lead < 0x80) {
                out.append((char) lead);
                i++;
                continue;
            }
            int need;
            int codePoint;
            int low = 0x80;
            int high = 0xbf;
            if (lead >= 0xc2 && lead <= 0xdf) {
                need = 1;
                codePoint = lead & 0x1f;
            } else if (lead >= 0xe0 && lead <= 0xef) {
                need = 2;
                codePoint = lead & 0x0f;
                low = lead == 0xe0 ? 0xa0 : 0x80;
                high = lead == 0xed ? 0x9f : 0xbf;
            } else if (lead >= 0xf0 && lead <= 0xf4) {
                need = 3;
                codePoint = lead & 0x07;
                low = lead == 0xf0 ? 0x90 : 0x80;
                high = lead == 0xf4 ? 0x8f : 0xbf;
            } else {
                out.append('\uFFFD');
                i++;
                continue;
            }
            int j = i + 1;
            boolean complete = true;
            for (int k = 0; k < need; k++, j++) {
                int next = j < n ? body[j] & 0xff : -1;
                if (next < (k == 0 ? low : 0x80) || next > (k == 0 ? high : 0xbf)) {
                    complete = false;
                    break;
                }
                codePoint = codePoint << 6 | (next & 0x3f);
            }
            if (complete) {
                out.appendCodePoint(codePoint);
            } else {
                out.append('\uFFFD');
            }
            i = j;
        }
        return out.toString();
    }

    /** The effective Accept: the header, or the default when it is absent, blank or exactly {@code *}{@code /*}. */
    public static String effectiveAccept(String header, String defaultAccept) {
        if (header == null || header.isBlank() || header.strip().equals("*/*")) {
            return defaultAccept;
        }
        return header;
    }

    /** The candidate media types of an Accept value: q descending (ties in header order), q=0 dropped, wildcards expanded. */
    public static List<String> candidates(String accept, String defaultAccept) {
        List<double[]> order = new ArrayList<>();
        List<String> types = new ArrayList<>();
        String[] entries = accept.split(",");
        for (int i = 0; i < entries.length; i++) {
            String[] parts = entries[i].split(";");
            String type = parts[0].strip().toLowerCase(Locale.ROOT);
            if (type.isEmpty()) {
                continue;
            }
            double q = 1;
            for (int p = 1; p < parts.length; p++) {
                String parameter = parts[p].strip();
                if (parameter.startsWith("q=") || parameter.startsWith("Q=")) {
                    try {
                        q = Double.parseDouble(parameter.substring(2).strip());
                    } catch (NumberFormatException e) {
                        q = 0;
                    }
                }
            }
            if (q <= 0) {
                continue;
            }
            order.add(new double[] {q, types.size()});
            types.add(type);
        }
        order.sort(Comparator.<double[]>comparingDouble(entry -> -entry[0]).thenComparingDouble(entry -> entry[1]));
        List<String> out = new ArrayList<>();
        for (double[] entry : order) {
            String type = types.get((int) entry[1]);
            if (type.equals("*/*")) {
                type = essence(defaultAccept);
            } else if (type.endsWith("/*")) {
                String prefix = type.substring(0, type.length() - 1);
                type = ENCODABLE.stream()
                        .filter(candidate -> candidate.startsWith(prefix))
                        .findFirst()
                        .orElse(type);
            }
            if (!out.contains(type)) {
                out.add(type);
            }
        }
        return List.copyOf(out);
    }

    /** The response Content-Type for an encoder's type: {@code text/csv} carries {@code charset=utf-8} as Flask sent it. */
    static String responseContentType(String type) {
        return type.equals(CSV) ? "text/csv; charset=utf-8" : type;
    }
}
