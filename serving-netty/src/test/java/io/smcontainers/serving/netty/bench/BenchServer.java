package io.smcontainers.serving.netty.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.smcontainers.env.core.ServingEnv;
import io.smcontainers.framework.spi.InvocationContext;
import io.smcontainers.framework.spi.InvocationResponse;
import io.smcontainers.framework.spi.ModelHandler;
import io.smcontainers.framework.spi.Payload;
import io.smcontainers.framework.spi.ServingContext;
import io.smcontainers.serving.netty.ServingServer;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The servers serving-netty/bench/run.sh drives with wrk: {@code serving PORT [METRICS_PORT]} (the real runtime with an echo
 * handler, shipped defaults; with {@code SMC_METRICS_PORT} when given, for bench/metrics.sh), {@code async PORT} (the same runtime with the echo declared non-blocking, run inline), {@code live-model PORT BYTES} (bench/gc.sh) and {@code hello PORT} (a minimal Netty HTTP server: the physical limit, on the same
 * transport as the runtime: epoll when available, else NIO) and {@code offload PORT} (that server answering from a pool of
 * CPU-count threads: the limit for a handler that may block). Not a test.
 */
public final class BenchServer {
    private BenchServer() {}

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[1]);
        if (args[0].equals("live-model")) {
            ServingEnv env = ServingEnv.fromEnvironment(
                    Map.of(
                            "SMC_BIND_ADDRESS",
                            "127.0.0.1",
                            "SAGEMAKER_BIND_TO_PORT",
                            Integer.toString(port),
                            "SAGEMAKER_BASE_DIR",
                            System.getProperty("java.io.tmpdir")),
                    Runtime.getRuntime().availableProcessors());
            ServingServer server = ServingServer.start(env, new LiveModel(Long.parseLong(args[2])));
            server.ready().get();
            System.out.println("READY live-model " + server.transport());
            Thread.currentThread().join();
        }
        if (args[0].equals("serving") || args[0].equals("async")) {
            Map<String, String> variables = new java.util.HashMap<>(Map.of(
                    "SMC_BIND_ADDRESS",
                    "127.0.0.1",
                    "SAGEMAKER_BIND_TO_PORT",
                    Integer.toString(port),
                    "SAGEMAKER_BASE_DIR",
                    System.getProperty("java.io.tmpdir")));
            if (args.length > 2) {
                variables.put("SMC_METRICS_PORT", args[2]); // bench/metrics.sh: the same server with metrics on
            }
            ServingEnv env =
                    ServingEnv.fromEnvironment(variables, Runtime.getRuntime().availableProcessors());
            ServingServer server =
                    ServingServer.start(env, args[0].equals("async") ? new NonBlockingEcho() : new Echo());
            server.ready().get();
            System.out.println("READY serving " + server.transport());
            Thread.currentThread().join();
        }
        hello(port, args[0].equals("offload"));
    }

    /**
     * Returns the request body with its content type: a 1-line handler, so the runtime's own cost is what is measured.
     * It answers with the payload itself, as a handler that forwards bytes would: no copy of the body.
     */
    static final class Echo implements ModelHandler<String> {
        @Override
        public String loadModel(Path modelDir, ServingContext context) {
            return "echo";
        }

        @Override
        public Concurrency concurrency() {
            return Concurrency.SHARED;
        }

        @Override
        public InvocationResponse transform(
                String model, Payload body, String contentType, String accept, InvocationContext context) {
            return InvocationResponse.of(body, contentType);
        }
    }

    /** The same echo declared non-blocking: the runtime calls it inline on the event loop, no hand-off to a worker. */
    static final class NonBlockingEcho implements ModelHandler<String> {
        @Override
        public String loadModel(Path modelDir, ServingContext context) {
            return "echo";
        }

        @Override
        public Concurrency concurrency() {
            return Concurrency.SHARED;
        }

        @Override
        public Execution execution() {
            return Execution.NON_BLOCKING;
        }

        @Override
        public CompletionStage<InvocationResponse> transformAsync(
                String model, Payload body, String contentType, String accept, InvocationContext context) {
            return CompletableFuture.completedFuture(InvocationResponse.of(body, contentType));
        }
    }

    /**
     * A model of {@code megabytes} of live heap (bench/gc.sh): 1 MiB float rows plus a vocabulary of small objects (one
     * per 4 KiB of rows), kept for the server's life. Each invocation reads 16 random rows, copies the body into its
     * answer (young garbage) and, one time in 32, replaces an entry of a 20,000-entry response cache (old-generation
     * churn, as a cache or a stateful model does).
     */
    static final class LiveModel implements ModelHandler<LiveModel.Data> {
        private final long megabytes;

        LiveModel(long megabytes) {
            this.megabytes = megabytes;
        }

        /** The live data. */
        record Data(
                float[][] rows,
                Map<String, int[]> vocabulary,
                java.util.concurrent.atomic.AtomicReferenceArray<byte[]> cache) {}

        @Override
        public Data loadModel(Path modelDir, ServingContext context) {
            float[][] rows = new float[(int) megabytes][];
            Map<String, int[]> vocabulary = new java.util.HashMap<>();
            java.util.Random random = new java.util.Random(1);
            for (int i = 0; i < rows.length; i++) {
                rows[i] = new float[256 * 1024];
                rows[i][random.nextInt(rows[i].length)] = random.nextFloat();
                for (int j = 0; j < 256; j++) {
                    vocabulary.put("token-" + i + "-" + j, new int[] {i, j});
                }
            }
            return new Data(rows, vocabulary, new java.util.concurrent.atomic.AtomicReferenceArray<>(20_000));
        }

        @Override
        public Concurrency concurrency() {
            return Concurrency.SHARED;
        }

        @Override
        public InvocationResponse transform(
                Data model, Payload body, String contentType, String accept, InvocationContext context) {
            java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
            float sum = 0;
            for (int i = 0; i < 16; i++) {
                float[] row = model.rows()[random.nextInt(model.rows().length)];
                sum += row[random.nextInt(row.length)];
            }
            if (random.nextInt(32) == 0) {
                model.cache().set(random.nextInt(model.cache().length()), new byte[4096]);
            }
            return InvocationResponse.of(body.bytes().clone(), contentType).withHeader("X-Sum", Float.toString(sum));
        }
    }

    private static void hello(int port, boolean offload) throws InterruptedException {
        boolean epoll = Epoll.isAvailable();
        // offload: the same server, with each request answered from one of CPU-count threads behind a queue, as any
        // server must that keeps blocking handler code off the event loop (the floor of the synchronous form)
        ExecutorService handlers =
                offload ? Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors()) : null;
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(
                Runtime.getRuntime().availableProcessors(),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        try {
            Channel channel = new ServerBootstrap()
                    .group(group)
                    .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline()
                                    .addLast(
                                            new HttpServerCodec(),
                                            new HttpObjectAggregator(100 << 20),
                                            new SimpleChannelInboundHandler<FullHttpRequest>() {
                                                @Override
                                                protected void channelRead0(
                                                        ChannelHandlerContext ctx, FullHttpRequest request) {
                                                    if (handlers == null) {
                                                        answer(ctx, request);
                                                        return;
                                                    }
                                                    request.retain();
                                                    handlers.execute(() -> {
                                                        try {
                                                            answer(ctx, request);
                                                        } finally {
                                                            request.release();
                                                        }
                                                    });
                                                }

                                                private void answer(
                                                        ChannelHandlerContext ctx, FullHttpRequest request) {
                                                    ByteBuf body =
                                                            request.method().equals(HttpMethod.POST)
                                                                    ? Unpooled.copiedBuffer(request.content())
                                                                    : Unpooled.EMPTY_BUFFER;
                                                    FullHttpResponse response = new DefaultFullHttpResponse(
                                                            HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
                                                    response.headers()
                                                            .set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                                                            .setInt(
                                                                    HttpHeaderNames.CONTENT_LENGTH,
                                                                    body.readableBytes());
                                                    if (HttpUtil.isKeepAlive(request)) {
                                                        ctx.writeAndFlush(response);
                                                    } else {
                                                        ctx.writeAndFlush(response)
                                                                .addListener(ChannelFutureListener.CLOSE);
                                                    }
                                                }
                                            });
                        }
                    })
                    .bind("127.0.0.1", port)
                    .sync()
                    .channel();
            System.out.println("READY " + (offload ? "offload " : "hello ") + (epoll ? "epoll" : "nio"));
            channel.closeFuture().sync();
        } finally {
            group.shutdownGracefully();
        }
    }
}
