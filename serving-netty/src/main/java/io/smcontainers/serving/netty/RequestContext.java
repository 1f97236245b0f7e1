package io.smcontainers.serving.netty;

import io.netty.handler.codec.http.HttpHeaders;
import io.smcontainers.framework.spi.Codecs;
import io.smcontainers.framework.spi.InvocationContext;
import io.smcontainers.serving.netty.codec.MediaTypes;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One invocation's view for handlers. The request headers are read on the worker (nothing changes them once the request
 * is routed); the raw list is built on first use.
 */
final class RequestContext implements InvocationContext {
    private final String requestId;
    private final HttpHeaders requestHeaders;
    private List<Map.Entry<String, String>> headers;
    private final String accept;
    private final String defaultAccept;
    private final Optional<String> modelName;
    private final Codecs codecs;
    /** What to do at the deadline instead of interrupting the inference thread (a Python worker acts on its process). */
    private volatile Runnable onDeadline;

    RequestContext(
            String requestId,
            HttpHeaders requestHeaders,
            String accept,
            String defaultAccept,
            Optional<String> modelName,
            Codecs codecs) {
        this.requestId = requestId;
        this.requestHeaders = requestHeaders;
        this.accept = accept;
        this.defaultAccept = defaultAccept;
        this.modelName = modelName;
        this.codecs = codecs;
    }

    void onDeadline(Runnable action) {
        onDeadline = action;
    }

    Runnable onDeadline() {
        return onDeadline;
    }

    @Override
    public String requestId() {
        return requestId;
    }

    @Override
    public Optional<String> header(String name) {
        return Optional.ofNullable(requestHeaders.get(name));
    }

    @Override
    public List<Map.Entry<String, String>> headers() {
        List<Map.Entry<String, String>> out = headers;
        if (out == null) {
            List<Map.Entry<String, String>> copy = new ArrayList<>(requestHeaders.size());
            for (Map.Entry<String, String> header : requestHeaders) {
                copy.add(new AbstractMap.SimpleImmutableEntry<>(header.getKey(), header.getValue()));
            }
            out = Collections.unmodifiableList(copy);
            headers = out;
        }
        return out;
    }

    @Override
    public Optional<String> customAttributes() {
        return header("X-Amzn-SageMaker-Custom-Attributes");
    }

    @Override
    public Map<String, String> customAttributeMap() {
        Map<String, String> out = new LinkedHashMap<>();
        customAttributes().ifPresent(raw -> {
            for (String token : raw.split(";")) {
                int equals = token.indexOf('=');
                if (equals > 0) {
                    out.put(
                            token.substring(0, equals).strip(),
                            token.substring(equals + 1).strip());
                } else if (!token.isBlank()) {
                    out.put(token.strip(), "");
                }
            }
        });
        return Collections.unmodifiableMap(out);
    }

    @Override
    public List<String> acceptCandidates() {
        return MediaTypes.candidates(accept, defaultAccept);
    }

    @Override
    public Optional<String> modelName() {
        return modelName;
    }

    @Override
    public Codecs codecs() {
        return codecs;
    }
}
