package io.smcontainers.framework.spi;

/**
 * The runtime's default decoders and encoders, implemented by the serving runtime. Media types match
 * case-insensitively with parameters ignored.
 *
 * <p>Decoded values: {@link NdArray} for JSON arrays of one kind with a regular shape, CSV tables and NPY; otherwise the
 * JSON values of this package (see {@code package-info}: {@code Map}, {@code List}, {@code String}, {@code Boolean},
 * {@code Long} or {@code java.math.BigInteger}, {@code Double}, Java {@code null}). NPZ decodes a {@code scipy.sparse}
 * archive to a dense 2-D {@link NdArray} and any other archive to a {@code Map} of members.
 */
public interface Codecs {
    /**
     * Decodes a body.
     *
     * @throws InvocationException 415 for an unsupported content type, 400 for a body that does not parse
     */
    Object decode(Payload body, String contentType);

    /**
     * Encodes a prediction ({@link NdArray}, JSON tree, {@code String}, number, boolean, primitive arrays) for the
     * first Accept candidate that has an encoder.
     *
     * @throws InvocationException 406 when no candidate has an encoder, 500 when the value cannot be encoded
     */
    InvocationResponse encode(Object prediction, String accept);
}
