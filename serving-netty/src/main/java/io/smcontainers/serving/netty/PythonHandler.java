package io.smcontainers.serving.netty;

import io.smcontainers.framework.spi.InvocationContext;
import io.smcontainers.framework.spi.InvocationResponse;
import io.smcontainers.framework.spi.ModelHandler;
import io.smcontainers.framework.spi.Payload;
import io.smcontainers.framework.spi.ServingContext;
import java.nio.file.Path;

/**
 * The Python backend as a {@link ModelHandler}: a "model" is one loaded worker process, so the pool's per-worker
 * instances are the W worker processes. Loading spawns and loads a worker; an invocation is one INVOKE round trip.
 */
final class PythonHandler implements ModelHandler<PythonWorker> {
    private final PythonBackend backend;

    PythonHandler(PythonBackend backend) {
        this.backend = backend;
    }

    PythonBackend backend() {
        return backend;
    }

    @Override
    public PythonWorker loadModel(Path modelDir, ServingContext context) throws Exception {
        backend.prepareOnce();
        PythonBackend.Target target = backend.target(modelDir);
        int slot = backend.claimSlot(target.modelDir());
        try {
            backend.prepareModel(target);
            return PythonWorker.start(backend, target, slot, backend.loadTimeoutNanos(target));
        } catch (Exception | Error e) {
            backend.releaseSlot(target.modelDir(), slot);
            throw e;
        }
    }

    @Override
    public InvocationResponse transform(
            PythonWorker worker, Payload body, String contentType, String accept, InvocationContext context) {
        return worker.invoke(body, contentType, accept, context);
    }

    @Override
    public void unload(PythonWorker worker) {
        try {
            worker.stop();
        } finally {
            backend.releaseSlot(backend.target(worker.modelDir()).modelDir(), worker.slot());
        }
    }
}
