package io.smcontainers.serving.netty;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/**
 * What the response side needs to know about one request: the connection it came on, its id, how to answer (HEAD,
 * keep-alive) and what to log.
 *
 * @param connection the connection the request came on (where its answer goes)
 * @param requestId {@code X-Amzn-SageMaker-Inference-Id} or a generated id, echoed as {@code x-request-id}
 * @param method the request method
 * @param uri the request URI
 * @param version the request protocol version
 * @param keepAlive whether the client wants the connection kept
 * @param startNanos when the request was read
 */
record Exchange(
        Connection connection,
        String requestId,
        HttpMethod method,
        String uri,
        HttpVersion version,
        boolean keepAlive,
        long startNanos) {
    /** The method logged for a request whose request line never arrived (a header-read timeout). */
    static final HttpMethod NONE = new HttpMethod("-");

    /** The exchange of a decoded request: its inference id (or a new one), method, URI, version and keep-alive wish. */
    static Exchange of(Connection connection, HttpRequest request) {
        String requestId = request.headers().get("X-Amzn-SageMaker-Inference-Id");
        return new Exchange(
                connection,
                requestId == null || requestId.isEmpty() ? Responses.newRequestId() : requestId,
                request.method(),
                request.uri(),
                request.protocolVersion(),
                HttpUtil.isKeepAlive(request),
                System.nanoTime());
    }

    /** An exchange without a request (the request line never arrived): answered and closed. */
    static Exchange unparsed(Connection connection) {
        return new Exchange(
                connection, Responses.newRequestId(), NONE, "-", HttpVersion.HTTP_1_1, false, System.nanoTime());
    }

    boolean head() {
        return HttpMethod.HEAD.equals(method);
    }
}
