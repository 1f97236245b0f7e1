package io.smcontainers.intermediate.sync;

import com.google.inject.AbstractModule;

/** Binds {@link SyncStarter} to the real sync. Binds only; nothing starts until the trainer calls it. */
public final class IntermediateSyncModule extends AbstractModule {
    @Override
    protected void configure() {
        bind(SyncStarter.class).toInstance(IntermediateSync::start);
    }
}
