package io.smcontainers.framework.spi;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The training job as a framework sees it. Values are immutable; maps keep their documented order. */
public interface TrainingContext {
    /** The base dir, {@code /opt/ml} in a real container. */
    Path baseDir();

    /** Where the user code lives once fetched: {@code <base>/code}. */
    Path codeDir();

    /** Where the model must be written: {@code <base>/model}. */
    Path modelDir();

    /** Where other output goes: {@code <base>/output/data}. */
    Path outputDataDir();

    /** The current host name, e.g. {@code algo-1}. */
    String currentHost();

    /** All hosts of the job, in resource-config order. */
    List<String> hosts();

    /** Whether this host is the master of the distributed world. */
    boolean isMaster();

    /**
     * User hyperparameters, decoded as Python's {@code json.loads} would, in file order, as the JSON values of this
     * package (see {@code package-info}: {@code Map}, {@code List}, {@code String}, {@code Boolean}, {@code Long} or
     * {@code java.math.BigInteger}, {@code Double}, Java {@code null}).
     */
    Map<String, Object> hyperparameters();

    /** The {@code sagemaker_*} keys that are not reserved ({@code SM_FRAMEWORK_PARAMS}), decoded the same way. */
    Map<String, Object> frameworkParameters();

    /** Every {@code SM_*} variable the user process gets, in the reference's build order. */
    Map<String, String> environment();

    /** The command-line arguments built from the user hyperparameters. */
    List<String> userArgs();

    /**
     * Fetches, installs and runs the user entry point, exactly as script mode does, and waits for it.
     *
     * @throws UserCodeException when the user code cannot be installed or exits non-zero
     */
    void runEntryPoint(RunOptions options) throws Exception;
}
