package io.smcontainers.serving.netty;

import io.smcontainers.framework.spi.InvocationContext;
import io.smcontainers.framework.spi.ModelHandler;
import io.smcontainers.framework.spi.Payload;
import java.lang.reflect.Method;

/** Start-up checks on a handler class, before {@code /ping} can answer 200. */
final class HandlerValidation {
    /** The sagemaker-containers message, kept verbatim. */
    static final String TRANSFORM_EXCLUSIVE =
            "Cannot use transform_fn implementation with input_fn, predict_fn, and/or output_fn";

    private HandlerValidation() {}

    /** Rejects a handler that overrides {@code transform} together with {@code decode}, {@code predict} or {@code encode}. */
    static void validate(ModelHandler<?> handler) {
        Class<?> type = handler.getClass();
        boolean transform = overrides(
                type, "transform", Object.class, Payload.class, String.class, String.class, InvocationContext.class);
        boolean decode = overrides(type, "decode", Payload.class, String.class, InvocationContext.class);
        boolean predict = overrides(type, "predict", Object.class, Object.class, InvocationContext.class);
        boolean encode = overrides(type, "encode", Object.class, String.class, InvocationContext.class);
        if (transform && (decode || predict || encode)) {
            throw new IllegalStateException(TRANSFORM_EXCLUSIVE + " (handler " + type.getName() + ")");
        }
    }

    private static boolean overrides(Class<?> type, String name, Class<?>... parameters) {
        try {
            Method method = type.getMethod(name, parameters);
            return method.getDeclaringClass() != ModelHandler.class;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }
}
