package io.smcontainers.serving.netty;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.HashedWheelTimer;
import io.smcontainers.env.core.ServingEnv;
import io.smcontainers.framework.spi.ExecutionParameters;
import io.smcontainers.framework.spi.ModelHandler;
import io.smcontainers.framework.spi.ServingContext;
import io.smcontainers.serving.netty.codec.DefaultCodecs;
import io.smcontainers.serving.netty.codec.JsonCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SageMaker hosting contract on Netty: binds {@code SMC_BIND_ADDRESS:SAGEMAKER_BIND_TO_PORT} (default {@code 0.0.0.0}), loads the model on a background
 * thread while {@code /ping} answers 503, then serves {@code /ping}, {@code /invocations}, {@code /execution-parameters}
 * (and the {@code /models} API on a multi-model endpoint). {@link #shutdown()} drains: ping 503, listener closed, in-flight
 * requests finished within {@code SMC_SHUTDOWN_GRACE_SECONDS}, connections closed once their answers are flushed,
 * executors and event loops stopped. With {@code SMC_METRICS_PORT} set, the same event loops also serve Prometheus
 * {@code /metrics} on that port ({@link PrometheusMetrics}, {@link MetricsEndpoint}).
 */
public final class ServingServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ServingServer.class);

    /** After the drain deadline, the time the last answers (503 to queued invocations) get to be flushed before connections are cut. */
    private static final long FLUSH_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final ServingEnv env;
    private final ModelHandler<?> handler;
    private final ServingContext context;
    private final ServerState state = new ServerState();
    private final InferencePool pool;
    /** Invocation deadlines: one thread, 10 ms ticks, one sweep per tick over queued and running jobs (nothing per request). */
    private final HashedWheelTimer deadlines;

    private final ExecutorService management;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final Optional<ModelRegistry> registry;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final String transport;
    /** {@code SMC_METRICS_PORT} set: the registry; {@link #metrics} records into it, else {@link Metrics#NONE}. */
    private final Optional<PrometheusMetrics> prometheus;

    private final Metrics metrics;
    private Channel listener;
    private Channel metricsListener;
    private ExecutorService scraper;
    private Thread loader;

    private final java.nio.file.Path modelDir;

    private ServingServer(ServingEnv env, ModelHandler<?> handler, java.nio.file.Path modelDir) {
        this.env = requireNonNull(env, "env is null");
        this.handler = requireNonNull(handler, "handler is null");
        this.modelDir = requireNonNull(modelDir, "modelDir is null");
        this.context = new ServingContextImpl(env, modelDir);
        this.pool = new InferencePool(env.jobQueueSize());
        this.prometheus = env.metricsPort().map(port -> new PrometheusMetrics());
        this.metrics = prometheus.<Metrics>map(recorder -> recorder).orElse(Metrics.NONE);
        this.deadlines = new HashedWheelTimer(
                runnable -> {
                    Thread thread = new Thread(runnable, "smc-deadlines");
                    thread.setDaemon(true);
                    return thread;
                },
                10,
                TimeUnit.MILLISECONDS,
                512);
        this.management = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "smc-models-api");
            thread.setDaemon(true);
            return thread;
        });
        this.registry = env.multiModel()
                ? Optional.of(new ModelRegistry(
                        modelDir,
                        handler,
                        context,
                        handler instanceof PythonHandler python
                                ? python.backend().mmeUnloadTimeout()
                                : env.invocationTimeout(),
                        handler instanceof PythonHandler python
                                ? python.backend().mmeWorkers()
                                : 1,
                        metrics))
                : Optional.empty();
        prometheus.ifPresent(recorder ->
                recorder.serverGauges(pool::queued, pool::running, connections::size, this::instanceCounts));
        boolean epoll = env.useNativeIo() && Epoll.isAvailable();
        IoHandlerFactory factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.transport = epoll ? "epoll" : "nio";
        this.boss = new MultiThreadIoEventLoopGroup(1, factory);
        this.workers = new MultiThreadIoEventLoopGroup(env.nettyThreads(), factory);
    }

    /**
     * For a cold start: initialises the transport, the allocator and the HTTP codec on a daemon thread while the caller
     * does its own start-up (building the injector, finding the handler); optional, and harmless to skip.
     */
    public static void prepareInBackground() {
        Prewarm.start();
    }

    /** The {@link io.smcontainers.framework.spi.ServingContext} handlers get, for code that finds a handler before starting the server. */
    public static io.smcontainers.framework.spi.ServingContext context(ServingEnv env, java.nio.file.Path modelDir) {
        return new ServingContextImpl(env, modelDir);
    }

    /**
     * Validates the handler, binds the port and starts loading the model in the background.
     *
     * @throws IllegalStateException when the handler is invalid
     * @throws UncheckedIOException when the port cannot be bound
     */
    public static ServingServer start(ServingEnv env, ModelHandler<?> handler) {
        return start(env, handler, env.modelDir());
    }

    /** As {@link #start(ServingEnv, ModelHandler)} with the model folder (or multi-model root) given explicitly, e.g. {@code local serve --model-dir}. */
    public static ServingServer start(ServingEnv env, ModelHandler<?> handler, java.nio.file.Path modelDir) {
        HandlerValidation.validate(handler);
        ServingServer server = new ServingServer(env, handler, modelDir);
        try {
            server.bind();
        } catch (RuntimeException | Error e) {
            server.stopGroups();
            throw e;
        }
        server.loadInBackground();
        return server;
    }

    private void bind() {
        Responses responses = new Responses(state::draining, env.errorStackTraces(), metrics);
        DefaultCodecs codecs = new DefaultCodecs(env.defaultAccept(), Math.max(env.maxPayloadBytes() * 8, 256L << 20));
        InvocationDispatcher dispatcher = new InvocationDispatcher(
                pool, deadlines, responses, codecs, env.defaultAccept(), env.invocationTimeout(), env.jobQueueSize());
        dispatcher.startDeadlineSweep();
        Class<? extends ServerChannel> channelType =
                transport.equals("epoll") ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(boss, workers)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childHandler(new ServingChannelInitializer(
                        new ServingChannelInitializer.Settings(
                                env.keepAlive(), env.headerReadTimeout(), env.bodyMinRate(), (int)
                                        Math.min(Integer.MAX_VALUE, env.maxPayloadBytes())),
                        responses,
                        state,
                        dispatcher,
                        registry,
                        management,
                        connections));
        try {
            listener = bootstrap
                    .bind(new InetSocketAddress(env.bindAddress(), env.port()))
                    .syncUninterruptibly()
                    .channel();
        } catch (RuntimeException e) {
            throw new UncheckedIOException(new IOException(
                    "Failed to bind to " + env.bindAddress() + ":" + env.port()
                            + " (SAGEMAKER_BIND_TO_PORT); is another process using it? " + e.getMessage(),
                    e));
        }
        log.info("Serving on {} ({} transport): {}", listener.localAddress(), transport, env.summary());
        if (prometheus.isPresent()) {
            bindMetrics(prometheus.get(), env.metricsPort().orElseThrow(), channelType);
        }
    }

    /** The {@code /metrics} listener: its own port, the same event loops; scrapes run on their own thread. */
    private void bindMetrics(PrometheusMetrics recorder, int port, Class<? extends ServerChannel> channelType) {
        scraper = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "smc-metrics");
            thread.setDaemon(true);
            return thread;
        });
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(boss, workers)
                .channel(channelType)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new MetricsEndpoint(recorder.registry(), scraper).initializer(env.keepAlive()));
        try {
            metricsListener = bootstrap
                    .bind(new InetSocketAddress(env.bindAddress(), port))
                    .syncUninterruptibly()
                    .channel();
        } catch (RuntimeException e) {
            throw new UncheckedIOException(new IOException(
                    "Failed to bind the metrics listener to " + env.bindAddress() + ":" + port + " ("
                            + ServingEnv.METRICS_PORT + "); is another process using it? " + e.getMessage(),
                    e));
        }
        log.info("Prometheus metrics on http://{}{}", metricsListener.localAddress(), MetricsEndpoint.PATH);
    }

    /** Loaded instances per model, for the {@code smc_model_instances} gauge. */
    private Map<String, Integer> instanceCounts() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        state.model().ifPresent(model -> counts.put(model.name(), model.instanceCount()));
        registry.ifPresent(models -> models.loaded().forEach(model -> counts.put(model.name(), model.instanceCount())));
        return counts;
    }

    private void loadInBackground() {
        loader = new Thread(
                () -> {
                    long start = System.nanoTime();
                    try {
                        Optional<LoadedModel> model = Optional.empty();
                        if (registry.isEmpty()) {
                            model = Optional.of(LoadedModel.load(
                                    "model", modelDir.toString(), modelDir, handler, env.workers(), context, metrics));
                        }
                        Optional<String> parameters =
                                handler.executionParameters(context).map(ServingServer::executionParametersJson);
                        Optional<HealthProbe> health = Objects.requireNonNull(
                                        handler.healthCheck(context),
                                        "the model handler's healthCheck returned null; return Optional.empty()")
                                .map(check -> new HealthProbe(check, HealthProbe.DEADLINE));
                        pool.start(env.workers());
                        if (handler instanceof PythonHandler python) {
                            python.backend().markStarted();
                        }
                        if (stopping.get() || !state.ready(model, parameters, health)) {
                            health.ifPresent(HealthProbe::close);
                            model.ifPresent(LoadedModel::unloadAll);
                            ready.completeExceptionally(
                                    new IllegalStateException("the server stopped while the model was loading"));
                            return;
                        }
                        log.info(
                                "Ready in {} ms: /ping answers 200",
                                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
                        ready.complete(null);
                    } catch (Exception | Error e) {
                        if (stopping.get()) {
                            log.info("Model loading ended by the shutdown: {}", e.toString());
                        } else {
                            state.phase(ServerState.Phase.FAILED);
                            log.error("Loading the model from {} failed", modelDir, e);
                        }
                        ready.completeExceptionally(e);
                    }
                },
                "smc-model-loader");
        loader.setDaemon(true);
        loader.start();
    }

    static String executionParametersJson(ExecutionParameters parameters) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("MaxConcurrentTransforms", parameters.maxConcurrentTransforms());
        body.put("BatchStrategy", parameters.batchStrategy());
        body.put("MaxPayloadInMB", parameters.maxPayloadInMb());
        return JsonCodec.encode(body);
    }

    /** The bound port (useful with {@code SAGEMAKER_BIND_TO_PORT=0} in tests). */
    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** Loaded instances of the single model (Python: workers READY or BUSY); 0 before the model is ready or on a multi-model endpoint. */
    int loadedInstances() {
        return state.model().map(LoadedModel::instanceCount).orElse(0);
    }

    /** Invocations waiting in the queue (not yet taken by an inference worker). */
    int queuedInvocations() {
        return pool.queued();
    }

    /** The bound port of the {@code /metrics} listener; empty when {@code SMC_METRICS_PORT} is unset. */
    public Optional<Integer> metricsPort() {
        return Optional.ofNullable(metricsListener)
                .map(channel -> ((InetSocketAddress) channel.localAddress()).getPort());
    }

    /** Invocations queued, running on a worker, or waiting for their handler's stage. */
    int busyInvocations() {
        return pool.busy();
    }

    /** "epoll" or "nio". */
    public String transport() {
        return transport;
    }

    /** Completes when the model is loaded and {@code /ping} answers 200; fails with the load error. */
    public CompletableFuture<Void> ready() {
        return ready;
    }

    /**
     * Graceful shutdown, idempotent and blocking, in any phase (a model still loading is abandoned, its thread
     * interrupted): ping and new invocations 503, listener closed, queued and running invocations finished within the
     * grace period; idle connections closed once their writes are flushed and busy ones after their answer is flushed;
     * invocations still queued at the deadline answered 503 with {@code Connection: close}; connections still writing
     * 2 s after the deadline cut; handler {@code unload} called, executors and event loops stopped.
     */
    public void shutdown() {
        if (!stopping.compareAndSet(false, true)) {
            awaitTermination();
            return;
        }
        long start = System.nanoTime();
        Duration grace = env.shutdownGrace();
        log.info("Shutting down: draining in-flight requests for up to {} s", grace.toSeconds());
        state.phase(ServerState.Phase.DRAINING);
        try {
            if (loader != null) {
                loader.interrupt();
            }
            if (listener != null) {
                listener.close().syncUninterruptibly();
            }
            long deadline = start + grace.toNanos();
            closeIdleConnections();
            while (pool.busy() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
                closeIdleConnections();
            }
            pool.shutdown(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            management.shutdownNow();
            state.health().ifPresent(HealthProbe::close);
            awaitConnectionsClosed(Math.max(deadline, System.nanoTime()) + FLUSH_NANOS);
            state.model().ifPresent(LoadedModel::unloadAll);
            registry.ifPresent(ModelRegistry::unloadAll);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            stopGroups();
            log.info("Stopped in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            terminated.countDown();
        }
    }

    /** Idle connections close once what they were sent is flushed; busy ones close after their answer (sent with {@code Connection: close}). */
    private void closeIdleConnections() {
        for (Connection connection : connections) {
            connection.closeWhenIdle();
        }
    }

    /**
     * Waits until every connection closed after its last answer was flushed, or is only lingering after it (its output
     * shut, see {@link LingeringClose}), up to {@code until}; then closes the rest.
     */
    private void awaitConnectionsClosed(long until) throws InterruptedException {
        closeIdleConnections();
        while (unanswered() > 0 && System.nanoTime() < until) {
            Thread.sleep(10);
            closeIdleConnections();
        }
        int unanswered = unanswered();
        if (unanswered > 0) {
            log.warn("Closing {} connection(s) whose answers were not written by the drain deadline", unanswered);
        }
        for (Connection connection : connections) {
            connection.channel().close().awaitUninterruptibly(1, TimeUnit.SECONDS);
        }
    }

    private int unanswered() {
        int count = 0;
        for (Connection connection : connections) {
            count += connection.lingering() ? 0 : 1;
        }
        return count;
    }

    /** Connections whose reads are paused (tests). */
    int connectionsWithReadsPaused() {
        int paused = 0;
        for (Connection connection : connections) {
            paused += connection.channel().config().isAutoRead() ? 0 : 1;
        }
        return paused;
    }

    /** Bytes written but not yet flushed to the sockets, over all connections (tests: what unread answers cost). */
    long pendingOutboundBytes() {
        long total = 0;
        for (Connection connection : connections) {
            ChannelOutboundBuffer buffer = connection.channel().unsafe().outboundBuffer();
            if (buffer != null) {
                total += buffer.totalPendingWriteBytes();
            }
        }
        return total;
    }

    private void stopGroups() {
        deadlines.stop();
        if (metricsListener != null) {
            metricsListener.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
        }
        if (scraper != null) {
            scraper.shutdownNow();
        }
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        boss.terminationFuture().awaitUninterruptibly(3, TimeUnit.SECONDS);
        workers.terminationFuture().awaitUninterruptibly(3, TimeUnit.SECONDS);
    }

    /** Blocks until {@link #shutdown()} has finished. */
    public void awaitTermination() {
        try {
            terminated.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        shutdown();
    }
}
