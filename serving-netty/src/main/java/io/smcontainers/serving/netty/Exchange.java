package io.smcontainers.serving.netty;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;

/**
 * What the response side needs to know about one request: its id, how to answer (HEAD, keep-alive) and what to log.
 *
 * @param requestId {@code X-Amzn-SageMaker-Inference-Id} or a generated id, echoed as {@code x-request-id}
 * @param method the request method
 * @param uri the request URI
 * @param version the request protocol version
 * @param keepAlive whether the client wants the connection kept
 * @param startNanos when the request was read
 */
record Exchange(String requestId, HttpMethod method, String uri, HttpVersion version, boolean keepAlive, long startNanos) {
    boolean head() {
        return HttpMethod.HEAD.equals(method);
    }
}
