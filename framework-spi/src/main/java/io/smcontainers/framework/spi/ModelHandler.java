package io.smcontainers.framework.spi;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The serving half of the SPI: how a framework or a user turns a model folder into a SageMaker endpoint.
 * The five methods are the SageMaker Python SDK's handler functions, with the same roles and argument order:
 *
 * <table>
 *   <caption>Handler functions</caption>
 *   <tr><th>SDK</th><th>here</th><th>default</th></tr>
 *   <tr><td>{@code model_fn(model_dir)}</td><td>{@link #loadModel}</td><td>none: every handler implements it</td></tr>
 *   <tr><td>{@code input_fn(body, content_type)}</td><td>{@link #decode}</td><td>the runtime's decoders ({@link Codecs#decode})</td></tr>
 *   <tr><td>{@code predict_fn(data, model)}</td><td>{@link #predict}</td><td>fails: "Please provide a predict_fn implementation"</td></tr>
 *   <tr><td>{@code output_fn(prediction, accept)}</td><td>{@link #encode}</td><td>the runtime's encoders ({@link Codecs#encode})</td></tr>
 *   <tr><td>{@code transform_fn(model, body, content_type, accept)}</td><td>{@link #transform}</td><td>decode, predict, encode</td></tr>
 * </table>
 *
 * <p>{@link #transform} is exclusive with {@link #decode}, {@link #predict} and {@link #encode}: a handler class
 * that overrides it together with any of them is rejected at start-up, before {@code /ping} can answer 200.
 * Framework authors ship a handler class with their defaults; users extend it and override single methods
 * (runtime defaults &lt; framework defaults &lt; user methods).
 *
 * <p>Threads: the runtime calls {@link #loadModel} eagerly at start-up (or at a multi-model load), never on
 * a request path. With {@link Concurrency#PER_WORKER} (the default) it loads one model per inference worker
 * and a model is only ever used by its own worker thread; with {@link Concurrency#SHARED} one model serves all
 * workers concurrently. Methods other than {@code loadModel} must not keep per-request state in the handler.
 *
 * <p>Errors: throw {@link InvocationException} for a chosen status (415, 406, 400, any 4xx/5xx); anything else
 * becomes a 500, an {@link OutOfMemoryError} a 507.
 *
 * <p>The handler runs inside the server's JVM: {@code System.exit} (or {@code Runtime.halt}) in any of these methods
 * ends the whole server at once, with every request in flight, the drain skipped; the platform then restarts the
 * container. Report failures by throwing instead.
 *
 * @param <M> the loaded model type
 */
public interface ModelHandler<M> {
    /** {@code model_fn}: loads the model from its folder ({@code /opt/ml/model}, or a multi-model folder). */
    M loadModel(Path modelDir, ServingContext context) throws Exception;

    /** {@code input_fn(body, content_type)}: the request body as the predict method wants it. */
    default Object decode(Payload body, String contentType, InvocationContext context) throws Exception {
        return context.codecs().decode(body, contentType);
    }

    /** {@code predict_fn(data, model)}: note the order, data first, as in the SDK. */
    default Object predict(Object data, M model, InvocationContext context) throws Exception {
        throw new UnsupportedOperationException("Please provide a predict_fn implementation. "
                + "See documentation for predict_fn at https://github.com/aws/sagemaker-python-sdk");
    }

    /** {@code output_fn(prediction, accept)}: {@code accept} is the effective Accept header after defaulting. */
    default InvocationResponse encode(Object prediction, String accept, InvocationContext context) throws Exception {
        return context.codecs().encode(prediction, accept);
    }

    /** {@code transform_fn(model, body, content_type, accept)}: the whole invocation. */
    default InvocationResponse transform(M model, Payload body, String contentType, String accept, InvocationContext context)
            throws Exception {
        Object data = decode(body, contentType, context);
        Object prediction = predict(data, model, context);
        return encode(prediction, accept, context);
    }

    /** Whether one model may serve all inference workers at once. */
    default Concurrency concurrency() {
        return Concurrency.PER_WORKER;
    }

    /** Releases a model at shutdown or multi-model unload; called once per loaded instance. */
    default void unload(M model) throws Exception {}

    /**
     * What {@code GET /execution-parameters} answers for batch transform; empty answers 404 (the platform then
     * uses its defaults). Called once, after the model is loaded; {@link ExecutionParameters#defaults} is the
     * built-in answer a handler can opt into.
     */
    default Optional<ExecutionParameters> executionParameters(ServingContext context) {
        return Optional.empty();
    }

    /** How model instances are shared between inference workers. */
    enum Concurrency {
        /** One model per inference worker thread, loaded once per worker (the reference's one copy per process). */
        PER_WORKER,
        /** One model used by every worker concurrently: the handler and model are thread-safe. */
        SHARED
    }
}
