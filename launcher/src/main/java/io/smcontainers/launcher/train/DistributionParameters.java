package io.smcontainers.launcher.train;

import io.smcontainers.env.core.PyValues;
import io.smcontainers.env.core.TrainingEnv;
import io.smcontainers.launcher.error.LauncherException;
import io.smcontainers.launcher.error.LauncherException.Category;
import java.math.BigInteger;
import java.util.List;
import java.util.Optional;

/** The job's values the distributed runners share (training contract §9.1). */
final class DistributionParameters {
    private DistributionParameters() {}

    /** The hosts that take part: {@code distribution_hosts}, or every host when there are none. */
    static List<String> hosts(TrainingEnv env) {
        return env.distributionHosts().isEmpty() ? env.hosts() : env.distributionHosts();
    }

    /** {@code sagemaker_mpi_num_of_processes_per_host} when present (quirk #34 Fix), else GPUs, else Neuron cores, else 1. */
    static int processesPerHost(TrainingEnv env) {
        return positiveInt(env, "sagemaker_mpi_num_of_processes_per_host")
                .orElse(env.numGpus() > 0 ? env.numGpus() : env.numNeurons() > 0 ? env.numNeurons() : 1);
    }

    /** A framework parameter that must be a positive integer when present; anything else is a user error naming it. */
    static Optional<Integer> positiveInt(TrainingEnv env, String name) {
        Object value = env.frameworkParameters().get(name);
        if (value == null) {
            return Optional.empty();
        }
        try {
            int number = value instanceof BigInteger big
                    ? big.intValueExact()
                    : Integer.parseInt(PyValues.str(value).strip());
            if (number < 1) {
                throw new NumberFormatException();
            }
            return Optional.of(number);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new LauncherException(
                    Category.USER,
                    1,
                    "Hyperparameter " + name + " must be a positive integer, got " + PyValues.repr(value));
        }
    }
}
