package io.smcontainers.serving.netty;

import io.smcontainers.framework.spi.Codecs;
import io.smcontainers.framework.spi.InvocationContext;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One invocation's view for handlers: a snapshot of the request headers taken on the event loop. */
final class RequestContext implements InvocationContext {
    private final String requestId;
    private final List<Map.Entry<String, String>> headers;
    private final String accept;
    private final String defaultAccept;
    private final Optional<String> modelName;
    private final Codecs codecs;

    RequestContext(String requestId, List<Map.Entry<String, String>> headers, String accept, String defaultAccept,
            Optional<String> modelName, Codecs codecs) {
        this.requestId = requestId;
        this.headers = Collections.unmodifiableList(headers);
        this.accept = accept;
        this.defaultAccept = defaultAccept;
        this.modelName = modelName;
        this.codecs = codecs;
    }

    @Override
    public String requestId() {
        return requestId;
    }

    @Override
    public Optional<String> header(String name) {
        for (Map.Entry<String, String> header : headers) {
            if (header.getKey().equalsIgnoreCase(name)) {
                return Optional.of(header.getValue());
            }
        }
        return Optional.empty();
    }

    @Override
    public List<Map.Entry<String, String>> headers() {
        return headers;
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
                    out.put(token.substring(0, equals).strip(), token.substring(equals + 1).strip());
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
