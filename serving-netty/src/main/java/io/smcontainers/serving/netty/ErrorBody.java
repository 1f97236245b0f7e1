package io.smcontainers.serving.netty;

import io.smcontainers.serving.netty.codec.JsonCodec;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

/**
 * The one error body the runtime writes for every error (serving contract 3.9.3): the MMS/DJL shape and the
 * sagemaker-containers shape in one object, {@code {"code": 415, "type": ..., "message": ..., "error": ..., "error-message": ..., "stack-trace": ...}}.
 */
final class ErrorBody {
    static final int MAX_MESSAGE = 4096;
    static final int MAX_TRACE = 16384;

    private ErrorBody() {}

    static byte[] of(int status, String type, String message, String stackTrace) {
        String text = truncate(message == null ? type : message, MAX_MESSAGE);
        StringBuilder out = new StringBuilder(128 + text.length() * 2 + stackTrace.length());
        out.append("{\"code\": ").append(status).append(", \"type\": ");
        JsonCodec.string(out, type);
        out.append(", \"message\": ");
        JsonCodec.string(out, text);
        out.append(", \"error\": ");
        JsonCodec.string(out, type);
        out.append(", \"error-message\": ");
        JsonCodec.string(out, text);
        out.append(", \"stack-trace\": ");
        JsonCodec.string(out, truncate(stackTrace, MAX_TRACE));
        out.append('}');
        return out.toString().getBytes(StandardCharsets.US_ASCII);
    }

    static String stackTrace(Throwable error) {
        StringWriter writer = new StringWriter();
        error.printStackTrace(new PrintWriter(writer));
        return writer.toString();
    }

    private static String truncate(String text, int limit) {
        return text.length() <= limit ? text : text.substring(0, limit) + "... (truncated)";
    }
}
