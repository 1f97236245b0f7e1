package io.smcontainers.env.core;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads the JSON config files of a job folder, failing with errors that name the file and the fault. */
final class ConfigFiles {
    private static final Logger log = LoggerFactory.getLogger(ConfigFiles.class);

    private ConfigFiles() {}

    /** The file's top-level JSON object, in file order. */
    static Map<String, Object> readObject(Path file) {
        Object value = read(file);
        if (!(value instanceof Map<?, ?>)) {
            throw EnvironmentException.inFile(
                    file,
                    null,
                    "the file must hold a JSON object ({...}), found " + describeType(value) + "; fix the file");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) value;
        return map;
    }

    static Object read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new EnvironmentException(
                    file,
                    null,
                    "file not found; SageMaker writes it in a real job, a local job needs it too "
                            + "(`sagemaker-toolkit local train` lays a job folder out)",
                    2,
                    e);
        } catch (IOException e) {
            throw new EnvironmentException(file, null, "cannot read the file: " + e, 1, e);
        }
        int offset = 0;
        if (bytes.length >= 3 && (bytes[0] & 0xff) == 0xef && (bytes[1] & 0xff) == 0xbb && (bytes[2] & 0xff) == 0xbf) {
            // The reference (json.load on a utf-8 stream) crashes here; the content is unambiguous, so we
            // read it and say so (documented tolerant reading).
            log.warn(
                    "{} starts with a UTF-8 byte order mark; reading it without the mark (the Python toolkits fail on it)",
                    file);
            offset = 3;
        }
        String text = decodeUtf8(file, bytes, offset);
        try {
            return PyJson.loads(text);
        } catch (PyJson.JsonSyntaxException e) {
            throw EnvironmentException.inFile(
                    file,
                    null,
                    "not valid JSON: " + e.getMessage().replaceFirst(" at position \\d+$", "") + " at "
                            + lineAndColumn(text, e.position()) + "; fix the file");
        }
    }

    private static String decodeUtf8(Path file, byte[] bytes, int offset) {
        CharsetDecoder decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, offset, bytes.length - offset);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isUnderflow()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            throw EnvironmentException.inFile(
                    file, null, "not valid UTF-8 at byte " + in.position() + "; save the file as UTF-8");
        }
        return out.flip().toString();
    }

    static String lineAndColumn(String text, int position) {
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < Math.min(position, text.length()); i++) {
            if (text.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        return "line " + line + " column " + (position - lineStart + 1);
    }

    static String describeType(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof String) {
            return "a string";
        }
        if (value instanceof Boolean) {
            return "a boolean";
        }
        if (value instanceof Number) {
            return "a number";
        }
        if (value instanceof java.util.List) {
            return "a list";
        }
        return "an object";
    }
}
