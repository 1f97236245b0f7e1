package io.smcontainers.serving.netty;

import com.google.inject.AbstractModule;

/** Binds {@link ServerStarter} to the Netty server. Binds only: nothing binds a port until {@code serve} calls it. */
public final class ServingModule extends AbstractModule {
    @Override
    protected void configure() {
        bind(ServerStarter.class).toInstance(ServingServer::start);
    }
}
