package dev.fineturn.opencl;

import dev.fineturn.spi.Storage;

/** Launches on the backend's command queue in call order, and keeps the scratch buffer. */
final class ClQueueLauncher implements ClLauncher {
    private final OpenClBackend backend;
    private final ClContext context;
    private Storage scratch;

    ClQueueLauncher(OpenClBackend backend, ClContext context) {
        this.backend = backend;
        this.context = context;
    }

    @Override
    public synchronized void launch(ClLaunch launch) {
        context.enqueue(launch, s -> backend.own(s).mem());
    }

    @Override
    public synchronized Storage scratch(long length) {
        if (scratch == null || scratch.length() < length) {
            scratch = null;
            scratch = allocate(length);
        }
        return scratch;
    }

    @Override
    public Storage allocate(long length) {
        return backend.allocate(length);
    }

    @Override
    public boolean cpuKernels() {
        return backend.cpuKernels();
    }
}
