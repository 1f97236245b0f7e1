package io.smcontainers.framework.spi;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

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
 * <p>Asynchronous form: the runtime calls {@link #transformAsync}, whose default runs {@link #transform} and returns its
 * answer as a completed stage, so a synchronous handler needs nothing more. A handler that answers later (a remote
 * call, a batching queue of its own, another process) overrides {@code transformAsync} and completes the stage from any
 * thread. Where it runs is {@link #execution()}: {@link Execution#BLOCKING} (the default) on an inference worker thread,
 * {@link Execution#NON_BLOCKING} inline on the network I/O thread that read the request, with no thread hand-off at all
 * (the fastest path, for handlers that only compute for microseconds or hand work off themselves). A non-blocking
 * handler must never wait in any of its invocation methods (no blocking I/O, sleeps, locks held by slow code,
 * {@code Future.get}, {@code CompletableFuture.join}): every connection of that I/O thread would wait with it.
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
    default InvocationResponse transform(
            M model, Payload body, String contentType, String accept, InvocationContext context) throws Exception {
        Object data = decode(body, contentType, context);
        Object prediction = predict(data, model, context);
        return encode(prediction, accept, context);
    }

    /**
     * The asynchronous form of {@link #transform}: the whole invocation, answered by completing the returned stage (from
     * any thread; exceptionally with an {@link InvocationException} for a chosen status). The request body stays valid
     * until the stage completes. The default calls {@code transform} and returns its answer (or its exception) as a
     * completed stage. With {@link Concurrency#PER_WORKER} the model instance is lent to this invocation until the
     * stage completes. At the invocation deadline the runtime answers 504 and cancels the stage
     * ({@code toCompletableFuture().cancel(true)} where it is a {@link CompletableFuture}).
     */
    default CompletionStage<InvocationResponse> transformAsync(
            M model, Payload body, String contentType, String accept, InvocationContext context) {
        try {
            return CompletableFuture.completedFuture(transform(model, body, contentType, accept, context));
        } catch (Exception | Error e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Where the runtime runs this handler's invocations: {@link Execution#BLOCKING} (the default) on the inference
     * worker pool, {@link Execution#NON_BLOCKING} inline on the I/O thread that read the request (see the class
     * comment for the rule that comes with it).
     */
    default Execution execution() {
        return Execution.BLOCKING;
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

    /**
     * A health check of this handler's own, replacing the runtime's {@code 200} to {@code GET /ping} once the model is
     * loaded (see {@link HealthCheck} for when and where it runs). Called once, after the model is loaded (on a
     * multi-model endpoint, at start-up); empty (the default) keeps the runtime's own answer.
     */
    default Optional<HealthCheck> healthCheck(ServingContext context) {
        return Optional.empty();
    }

    /** Where invocations run. */
    enum Execution {
        /** May block (the default): each invocation runs on an inference worker thread, behind the bounded queue. */
        BLOCKING,
        /**
         * Never blocks: {@link #transformAsync} (and what it calls) runs inline on the I/O thread that read the request,
         * and must return in microseconds, handing any longer work to threads of its own. With
         * {@link Concurrency#PER_WORKER}, an invocation that finds no free model instance goes to the worker pool instead.
         */
        NON_BLOCKING
    }

    /** How model instances are shared between inference workers. */
    enum Concurrency {
        /** One model per inference worker thread, loaded once per worker (the reference's one copy per process). */
        PER_WORKER,
        /** One model used by every worker concurrently: the handler and model are thread-safe. */
        SHARED
    }
}
