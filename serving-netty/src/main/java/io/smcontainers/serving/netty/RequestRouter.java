package io.smcontainers.serving.netty;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.smcontainers.serving.netty.codec.JsonCodec;
import io.smcontainers.serving.netty.codec.MediaTypes;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes one connection's requests: {@code /ping} and {@code /execution-parameters} answered inline from memory,
 * {@code /invocations} (and {@code /models/<name>/invoke}) handed to the dispatcher, the multi-model management calls
 * (load bodies parsed there too) run on their own executor, requests {@link RequestChecks} refuses 505/400, everything
 * else 404/405.
 */
final class RequestRouter extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(RequestRouter.class);
    private static final Runnable NOTHING = () -> {};

    private final Connection connection;
    private final ServerState state;
    private final Responses responses;
    private final InvocationDispatcher dispatcher;
    private final Optional<ModelRegistry> registry;
    private final ExecutorService management;

    RequestRouter(
            Connection connection,
            ServerState state,
            Responses responses,
            InvocationDispatcher dispatcher,
            Optional<ModelRegistry> registry,
            ExecutorService management) {
        this.connection = connection;
        this.state = state;
        this.responses = responses;
        this.dispatcher = dispatcher;
        this.registry = registry;
        this.management = management;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        Exchange exchange = Exchange.of(connection, request);
        if (request.decoderResult().isFailure()) {
            Throwable cause = request.decoderResult().cause();
            boolean tooLong = cause instanceof TooLongHttpHeaderException || cause instanceof TooLongHttpLineException;
            log.debug("Malformed request from {}: {}", ctx.channel().remoteAddress(), cause.toString());
            responses.error(
                    exchange,
                    ErrorReply.of(
                                    tooLong ? 431 : 400,
                                    "BadRequest",
                                    tooLong ? "Request header fields too large." : "Invalid HTTP message.")
                            .closing());
            return;
        }
        Optional<ErrorReply> refused = RequestChecks.problem(request);
        if (refused.isPresent()) {
            responses.error(exchange, refused.get());
            return;
        }
        String path = path(request.uri());
        HttpMethod method = request.method();
        switch (path) {
            case "/ping":
                if (method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD)) {
                    ping(ctx, exchange);
                } else {
                    methodNotAllowed(ctx, exchange, "GET, HEAD");
                }
                return;
            case "/invocations":
                if (method.equals(HttpMethod.POST)) {
                    invocations(ctx, request, exchange);
                } else {
                    methodNotAllowed(ctx, exchange, "POST");
                }
                return;
            case "/execution-parameters":
                if (method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD)) {
                    executionParameters(ctx, exchange);
                } else {
                    methodNotAllowed(ctx, exchange, "GET, HEAD");
                }
                return;
            default:
                if (registry.isPresent() && (path.equals("/models") || path.startsWith("/models/"))) {
                    models(ctx, request, exchange, path, registry.get());
                    return;
                }
                responses.error(
                        exchange,
                        ErrorReply.of(
                                404,
                                "ResourceNotFoundException",
                                "Requested resource is not found, please refer to API document."));
        }
    }

    /** The path of a request URI: no query, no trailing slash (except the root). */
    static String path(String uri) {
        int query = uri.indexOf('?');
        String path = query < 0 ? uri : uri.substring(0, query);
        if (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return path;
    }

    private void ping(ChannelHandlerContext ctx, Exchange exchange) {
        switch (state.phase()) {
            case READY:
                if (!state.modelHealthy()) {
                    responses.error(
                            exchange, ErrorReply.of(503, "NoWorkerReady", "No model worker is ready (restarting)"));
                } else if (state.health().isPresent()) {
                    connection.begin(exchange); // answered from another thread: pipelined requests wait behind it
                    state.health().get().probe(ctx.executor(), outcome -> {
                        if (outcome instanceof HealthProbe.Healthy healthy) {
                            responses.invocation(exchange, healthy.answer(), NOTHING);
                        } else {
                            responses.error(exchange, ((HealthProbe.Unhealthy) outcome).error());
                        }
                    });
                } else {
                    responses.ok(exchange, "application/json", new byte[0]);
                }
                return;
            case LOADING:
                responses.error(exchange, ErrorReply.of(503, "ModelLoading", "The model is loading"));
                return;
            case FAILED:
                responses.error(
                        exchange,
                        ErrorReply.of(503, "ModelLoadFailed", "The model failed to load; see the container log"));
                return;
            case DRAINING:
                responses.error(exchange, ErrorReply.DRAINING);
                return;
        }
    }

    private boolean admitting(ChannelHandlerContext ctx, Exchange exchange) {
        switch (state.phase()) {
            case READY:
                return true;
            case DRAINING:
                responses.error(exchange, ErrorReply.DRAINING);
                return false;
            case LOADING:
            case FAILED:
                responses.error(exchange, ErrorReply.of(503, "ModelNotReady", "The model is not loaded yet"));
                return false;
        }
        return false;
    }

    private void invocations(ChannelHandlerContext ctx, FullHttpRequest request, Exchange exchange) {
        if (!admitting(ctx, exchange)) {
            return;
        }
        if (registry.isPresent()) {
            List<String> names =
                    new QueryStringDecoder(request.uri()).parameters().get("model_name");
            if (names == null || names.isEmpty()) {
                responses.error(exchange, ErrorReply.of(400, "BadRequestError", "Parameter model_name is required."));
                return;
            }
            invokeModel(ctx, request, exchange, names.get(0));
            return;
        }
        dispatcher.dispatch(request, exchange, state.model().orElseThrow(), Optional.empty());
    }

    private void invokeModel(ChannelHandlerContext ctx, FullHttpRequest request, Exchange exchange, String name) {
        Optional<LoadedModel> model = registry.orElseThrow().get(name);
        if (model.isEmpty()) {
            responses.error(exchange, ErrorReply.of(404, "ModelNotFoundException", "Model not found: " + name));
            return;
        }
        String target = request.headers().get("X-Amzn-SageMaker-Target-Model");
        if (target != null) {
            log.debug("Invocation {} of model '{}' for target model {}", exchange.requestId(), name, target);
        }
        dispatcher.dispatch(request, exchange, model.get(), Optional.of(name));
    }

    private void executionParameters(ChannelHandlerContext ctx, Exchange exchange) {
        if (state.phase() != ServerState.Phase.READY) {
            responses.error(exchange, ErrorReply.of(503, "ModelNotReady", "The model is not loaded yet"));
            return;
        }
        Optional<String> body = state.executionParameters();
        if (body.isEmpty()) {
            responses.error(
                    exchange,
                    ErrorReply.of(
                            404, "ResourceNotFoundException", "This container does not provide execution parameters."));
            return;
        }
        responses.ok(exchange, "application/json", body.get().getBytes(StandardCharsets.US_ASCII));
    }

    private void models(
            ChannelHandlerContext ctx, FullHttpRequest request, Exchange exchange, String path, ModelRegistry models) {
        String[] segments = path.substring(1).split("/", -1);
        HttpMethod method = request.method();
        if (segments.length == 3 && segments[2].equals("invoke")) {
            if (!method.equals(HttpMethod.POST)) {
                methodNotAllowed(ctx, exchange, "POST");
                return;
            }
            if (admitting(ctx, exchange)) {
                invokeModel(ctx, request, exchange, QueryStringDecoder.decodeComponent(segments[1]));
            }
            return;
        }
        Map<String, List<String>> query = new QueryStringDecoder(request.uri()).parameters();
        if (segments.length == 1) {
            if (method.equals(HttpMethod.GET)) {
                reply(exchange, models.list(first(query, "limit"), first(query, "next_page_token")));
            } else if (method.equals(HttpMethod.POST)) {
                load(ctx, request, exchange, query, models);
            } else {
                methodNotAllowed(ctx, exchange, "GET, POST");
            }
            return;
        }
        if (segments.length == 2 && !segments[1].isEmpty()) {
            String name = QueryStringDecoder.decodeComponent(segments[1]);
            if (method.equals(HttpMethod.GET)) {
                reply(exchange, models.describe(name));
            } else if (method.equals(HttpMethod.DELETE)) {
                offload(ctx, exchange, () -> models.unload(name));
            } else {
                methodNotAllowed(ctx, exchange, "GET, DELETE");
            }
            return;
        }
        responses.error(
                exchange,
                ErrorReply.of(
                        404,
                        "ResourceNotFoundException",
                        "Requested resource is not found, please refer to API document."));
    }

    /**
     * A load: parameters from the JSON body (at most {@link PayloadAggregator#LOAD_LIMIT} bytes, parsed on the management
     * executor, not here) or the query string.
     */
    private void load(
            ChannelHandlerContext ctx,
            FullHttpRequest request,
            Exchange exchange,
            Map<String, List<String>> query,
            ModelRegistry models) {
        if (request.content().readableBytes() > PayloadAggregator.LOAD_LIMIT) {
            responses.error(
                    exchange,
                    ErrorReply.of(
                            413,
                            "RequestEntityTooLarge",
                            "A model load request body is at most " + PayloadAggregator.LOAD_LIMIT + " bytes"));
            return;
        }
        String contentType = request.headers().get("Content-Type");
        Optional<byte[]> json = contentType != null
                        && MediaTypes.essence(contentType).equals(MediaTypes.JSON)
                        && request.content().isReadable()
                ? Optional.of(ByteBufUtil.getBytes(request.content()))
                : Optional.empty();
        offload(ctx, exchange, () -> {
            Optional<String> name = first(query, "model_name");
            Optional<String> url = first(query, "url");
            if (json.isPresent()) {
                Object body;
                try {
                    body = JsonCodec.parse(json.get(), StandardCharsets.UTF_8);
                } catch (RuntimeException e) {
                    return ModelRegistry.Answer.error(
                            400, "BadRequestError", "Invalid load request body: " + e.getMessage());
                }
                if (!(body instanceof Map)) {
                    return ModelRegistry.Answer.error(
                            400,
                            "BadRequestError",
                            "The load request body must be a JSON object with model_name and url");
                }
                name = text(((Map<?, ?>) body).get("model_name")).or(() -> first(query, "model_name"));
                url = text(((Map<?, ?>) body).get("url")).or(() -> first(query, "url"));
            }
            return models.load(name, url);
        });
    }

    private void offload(
            ChannelHandlerContext ctx, Exchange exchange, java.util.function.Supplier<ModelRegistry.Answer> call) {
        connection.begin(exchange);
        try {
            management.execute(() -> {
                ModelRegistry.Answer answer;
                try {
                    answer = call.get();
                } catch (RuntimeException | Error e) {
                    log.error("Management call {} {} failed", exchange.method(), exchange.uri(), e);
                    answer = ModelRegistry.Answer.error(
                            500, e.getClass().getSimpleName(), String.valueOf(e.getMessage()));
                }
                reply(exchange, answer);
            });
        } catch (RejectedExecutionException e) {
            responses.error(exchange, ErrorReply.DRAINING);
        }
    }

    private void reply(Exchange exchange, ModelRegistry.Answer answer) {
        if (answer.status() < 400) {
            responses.json(exchange, answer.status(), answer.json());
        } else {
            responses.error(exchange, ErrorReply.of(answer.status(), answer.type(), answer.message()));
        }
    }

    private static Optional<String> first(Map<String, List<String>> query, String key) {
        List<String> values = query.get(key);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    private static Optional<String> text(Object value) {
        return value instanceof String ? Optional.of((String) value) : Optional.empty();
    }

    private void methodNotAllowed(ChannelHandlerContext ctx, Exchange exchange, String allow) {
        responses.error(
                exchange,
                ErrorReply.of(
                                405,
                                "MethodNotAllowedException",
                                "Requested method is not allowed, please refer to API document.")
                        .allowing(allow));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("Closing connection {} after an error: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
