package io.smcontainers.launcher.testing;

import io.smcontainers.framework.spi.Framework;
import io.smcontainers.framework.spi.TrainingContext;

/** A second framework, to show that two registered providers are refused. */
public final class OtherFramework implements Framework {
    @Override
    public void train(TrainingContext context) {
        throw new UnsupportedOperationException("never run");
    }
}
