package com.example.pytorch;

import io.smcontainers.framework.spi.Framework;
import io.smcontainers.framework.spi.TrainingContext;
import io.smcontainers.framework.spi.UserCodeException;
import java.util.Optional;

/**
 * An example PyTorch serving framework: no Java model handler, only Python defaults. Its defaults module
 * ({@code pytorch_defaults.py}, next to this class) loads the TorchScript file {@code model.pt} from the model folder
 * and runs it on the decoded request; a user's {@code inference.py} may override any of those functions.
 */
public final class PyTorchFramework implements Framework {
    @Override
    public String name() {
        return "example-pytorch";
    }

    @Override
    public void train(TrainingContext context) throws UserCodeException {
        throw new UserCodeException("the example-pytorch framework only serves models; train with script mode");
    }

    @Override
    public Optional<String> pythonDefaults() {
        return Optional.of("com/example/pytorch/pytorch_defaults.py");
    }
}
