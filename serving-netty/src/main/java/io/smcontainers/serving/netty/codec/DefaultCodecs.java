package io.smcontainers.serving.netty.codec;

import static java.util.Objects.requireNonNull;

import io.smcontainers.framework.spi.Codecs;
import io.smcontainers.framework.spi.InvocationException;
import io.smcontainers.framework.spi.InvocationResponse;
import io.smcontainers.framework.spi.Payload;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The runtime's default decoders and encoders (serving contract 3.8), thread-safe. */
public final class DefaultCodecs implements Codecs {
    private final String defaultAccept;
    private final long maxUncompressedBytes;

    public DefaultCodecs(String defaultAccept, long maxUncompressedBytes) {
        this.defaultAccept = requireNonNull(defaultAccept, "defaultAccept is null");
        this.maxUncompressedBytes = maxUncompressedBytes;
    }

    @Override
    public Object decode(Payload body, String contentType) {
        requireNonNull(body, "body is null");
        requireNonNull(contentType, "contentType is null");
        switch (MediaTypes.essence(contentType)) {
            case MediaTypes.JSON:
                return JsonCodec.decode(body.bytes(), MediaTypes.charset(contentType));
            case MediaTypes.CSV:
                return CsvCodec.decode(body.bytes(), MediaTypes.charset(contentType));
            case MediaTypes.NPY:
                return NpyCodec.decode(body.bytes());
            case MediaTypes.NPZ:
                return NpzDecoder.decode(body.bytes(), maxUncompressedBytes);
            default:
                throw InvocationException.unsupportedContentType(contentType);
        }
    }

    @Override
    public InvocationResponse encode(Object prediction, String accept) {
        requireNonNull(accept, "accept is null");
        List<String> candidates = MediaTypes.candidates(accept, defaultAccept);
        for (String type : candidates) {
            switch (type) {
                case MediaTypes.JSON:
                    return InvocationResponse.of(
                            JsonCodec.encode(prediction).getBytes(StandardCharsets.US_ASCII), MediaTypes.JSON);
                case MediaTypes.CSV:
                    return InvocationResponse.of(
                            CsvCodec.utf8(CsvCodec.encode(prediction)), MediaTypes.responseContentType(MediaTypes.CSV));
                case MediaTypes.NPY:
                    return InvocationResponse.of(NpyCodec.encode(prediction), MediaTypes.NPY);
                default:
                    break;
            }
        }
        throw InvocationException.unsupportedAccept(accept);
    }
}
