package io.smcontainers.framework.spi.testing;

import io.smcontainers.framework.spi.Framework;
import io.smcontainers.framework.spi.TrainingContext;

/** A framework that overrides nothing but {@link #train}: what the SPI's defaults give. */
public final class PlainFramework implements Framework {
    @Override
    public void train(TrainingContext context) {}
}
