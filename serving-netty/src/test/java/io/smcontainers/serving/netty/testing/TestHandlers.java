package io.smcontainers.serving.netty.testing;

import io.smcontainers.framework.spi.ExecutionParameters;
import io.smcontainers.framework.spi.HealthCheck;
import io.smcontainers.framework.spi.InvocationContext;
import io.smcontainers.framework.spi.InvocationException;
import io.smcontainers.framework.spi.InvocationResponse;
import io.smcontainers.framework.spi.ModelHandler;
import io.smcontainers.framework.spi.NdArray;
import io.smcontainers.framework.spi.Payload;
import io.smcontainers.framework.spi.ServingContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/** Hand-written handlers the integration tests serve. */
public final class TestHandlers {
    private TestHandlers() {}

    /** The reference's functional-test model: prediction = weights [6, 9, 42] × data; counts loads and predictions. */
    public static final class Weights implements ModelHandler<double[]> {
        public final AtomicInteger loads = new AtomicInteger();
        public final AtomicInteger predictions = new AtomicInteger();
        private final Concurrency concurrency;
        private final boolean executionParameters;

        public Weights(Concurrency concurrency, boolean executionParameters) {
            this.concurrency = concurrency;
            this.executionParameters = executionParameters;
        }

        @Override
        public double[] loadModel(Path modelDir, ServingContext context) {
            loads.incrementAndGet();
            return new double[] {6, 9, 42};
        }

        @Override
        public Object predict(Object data, double[] model, InvocationContext context) {
            predictions.incrementAndGet();
            double[] input = ((NdArray) data).toDoubles();
            double[] out = new double[input.length];
            for (int i = 0; i < input.length; i++) {
                out[i] = input[i] * model[i % model.length];
            }
            return NdArray.vector(out);
        }

        @Override
        public Concurrency concurrency() {
            return concurrency;
        }

        @Override
        public Optional<ExecutionParameters> executionParameters(ServingContext context) {
            return executionParameters ? Optional.of(ExecutionParameters.defaults(context)) : Optional.empty();
        }
    }

    /**
     * Behaves as the {@code X-Test-Action} header says: {@code echo} (the body back, same content type, through
     * {@code bytes()}), {@code echo-payload} (the request payload itself as the response body, no copy),
     * {@code echo-buffer} (a {@code ByteBuffer} view of the body, no copy), {@code echo-late:<ms>} (a view, answered after
     * sleeping through interrupts, i.e. after the invocation timed out), {@code throw},
     * {@code sleep:<ms>}, {@code hang} (ignores interrupts until released), {@code unserializable}, {@code status:<n>},
     * {@code oom}, {@code attributes} (echoes custom attributes), {@code null}, {@code answer-status:<n>} (a response with
     * that status and the body {@code body}), {@code framing-headers} (a response setting every framing and hop-by-hop
     * header), {@code big:<n>} (an n-byte body of {@code 'x'}). Offers {@code health} as its health check when given one.
     */
    public static final class Actions implements ModelHandler<String> {
        public final CountDownLatch release = new CountDownLatch(1);
        public final AtomicInteger started = new AtomicInteger();
        private final Optional<HealthCheck> health;

        public Actions() {
            this(null);
        }

        public Actions(HealthCheck health) {
            this.health = Optional.ofNullable(health);
        }

        @Override
        public Optional<HealthCheck> healthCheck(ServingContext context) {
            return health;
        }

        @Override
        public String loadModel(Path modelDir, ServingContext context) {
            return "model";
        }

        @Override
        public Concurrency concurrency() {
            return Concurrency.SHARED;
        }

        @Override
        public InvocationResponse transform(
                String model, Payload body, String contentType, String accept, InvocationContext context)
                throws Exception {
            started.incrementAndGet();
            String action = context.header("X-Test-Action").orElse("echo");
            if (action.startsWith("sleep:")) {
                Thread.sleep(Long.parseLong(action.substring(6)));
                return InvocationResponse.ofText("slept", "text/plain");
            }
            if (action.startsWith("echo-late:")) {
                java.nio.ByteBuffer view = body.asByteBuffer();
                long until = System.nanoTime() + Long.parseLong(action.substring(10)) * 1_000_000L;
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
                return InvocationResponse.of(view, contentType);
            }
            if (action.startsWith("answer-status:")) {
                return InvocationResponse.ofText("body", "text/plain")
                        .withStatus(Integer.parseInt(action.substring(14)));
            }
            if (action.startsWith("big:")) {
                byte[] big = new byte[Integer.parseInt(action.substring(4))];
                java.util.Arrays.fill(big, (byte) 'x');
                return InvocationResponse.of(big, "application/octet-stream");
            }
            if (action.startsWith("status:")) {
                throw new InvocationException(Integer.parseInt(action.substring(7)), "chosen status");
            }
            switch (action) {
                case "echo":
                    return InvocationResponse.of(body.bytes(), contentType);
                case "echo-payload":
                    return InvocationResponse.of(body, contentType);
                case "echo-buffer":
                    return InvocationResponse.of(body.asByteBuffer(), contentType);
                case "throw":
                    throw new IllegalStateException("handler failure on purpose");
                case "hang":
                    long until = System.nanoTime() + 30_000_000_000L;
                    while (release.getCount() > 0 && System.nanoTime() < until) {
                        Thread.onSpinWait();
                    }
                    return InvocationResponse.ofText("released", "text/plain");
                case "unserializable":
                    return context.codecs().encode(new Object(), accept);
                case "oom":
                    throw new OutOfMemoryError("simulated");
                case "attributes":
                    return InvocationResponse.ofText(
                                    context.customAttributeMap().toString(), "text/plain")
                            .withHeader(
                                    "X-Amzn-SageMaker-Custom-Attributes",
                                    context.customAttributes().orElse(""))
                            .withReason("Fine\r\nThanks")
                            .withStatus(201);
                case "null":
                    return null;
                case "framing-headers":
                    return InvocationResponse.ofText("abc", "text/plain")
                            .withHeader("Transfer-Encoding", "chunked")
                            .withHeader("content-length", "1000")
                            .withHeader("Connection", "close")
                            .withHeader("Keep-Alive", "timeout=1")
                            .withHeader("Upgrade", "h2c")
                            .withHeader("TE", "trailers")
                            .withHeader("Trailer", "X-Checksum")
                            .withHeader("X-Kept", "yes");
                default:
                    return InvocationResponse.of(
                            ("unknown action " + action).getBytes(StandardCharsets.UTF_8), "text/plain");
            }
        }
    }
}
