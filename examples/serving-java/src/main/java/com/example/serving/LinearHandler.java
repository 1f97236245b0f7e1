package com.example.serving;

import io.smcontainers.framework.spi.ExecutionParameters;
import io.smcontainers.framework.spi.InvocationContext;
import io.smcontainers.framework.spi.InvocationException;
import io.smcontainers.framework.spi.ModelHandler;
import io.smcontainers.framework.spi.NdArray;
import io.smcontainers.framework.spi.ServingContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * A linear model: {@code model_fn} reads {@code weights.csv} (one line of comma-separated numbers) from the model
 * folder; {@code predict_fn} returns {@code weights · row} for each input row. Decoding (JSON, CSV, NPY) and encoding
 * (by Accept) come from the runtime's defaults. The model is immutable, so one instance serves every worker.
 */
public final class LinearHandler implements ModelHandler<double[]> {
    @Override
    public double[] loadModel(Path modelDir, ServingContext context) throws Exception {
        Path file = modelDir.resolve("weights.csv");
        String line = Files.readString(file).strip();
        try {
            return Arrays.stream(line.split(",")).mapToDouble(value -> Double.parseDouble(value.strip())).toArray();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(file + " must hold one line of comma-separated numbers, got: " + line, e);
        }
    }

    @Override
    public Object predict(Object data, double[] weights, InvocationContext context) {
        if (!(data instanceof NdArray)) {
            throw InvocationException.badRequest("expected a numeric array, got " + data.getClass().getSimpleName(), null);
        }
        NdArray input = (NdArray) data;
        double[] values = input.toDoubles();
        if (values.length % weights.length != 0) {
            throw InvocationException.badRequest("each row needs " + weights.length + " features, got " + values.length + " values", null);
        }
        int rows = values.length / weights.length;
        double[] out = new double[rows];
        for (int row = 0; row < rows; row++) {
            for (int i = 0; i < weights.length; i++) {
                out[row] += weights[i] * values[row * weights.length + i];
            }
        }
        return NdArray.vector(out);
    }

    @Override
    public Concurrency concurrency() {
        return Concurrency.SHARED;
    }

    @Override
    public Optional<ExecutionParameters> executionParameters(ServingContext context) {
        return Optional.of(ExecutionParameters.defaults(context));
    }
}
