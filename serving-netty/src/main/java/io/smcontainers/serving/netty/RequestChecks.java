package io.smcontainers.serving.netty;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import java.util.Iterator;
import java.util.Optional;

/** What the decoder accepts but the runtime refuses: a protocol other than HTTP/1.x (505), several {@code Host} headers (400). */
final class RequestChecks {
    private RequestChecks() {}

    /** The error to answer (closing the connection), or empty when the request may be served. */
    static Optional<ErrorReply> problem(HttpRequest request) {
        if (request.protocolVersion().majorVersion() != 1) {
            return Optional.of(ErrorReply.of(
                            505,
                            "HttpVersionNotSupported",
                            "HTTP version " + request.protocolVersion().text() + " is not supported; use HTTP/1.1")
                    .closing());
        }
        Iterator<String> hosts = request.headers().valueStringIterator(HttpHeaderNames.HOST);
        if (hosts.hasNext()) {
            hosts.next();
            if (hosts.hasNext()) {
                return Optional.of(ErrorReply.of(400, "BadRequest", "Invalid HTTP message: several Host headers.")
                        .closing());
            }
        }
        return Optional.empty();
    }
}
