package dev.fineturn.cuda;

import dev.fineturn.spi.Backend;
import dev.fineturn.spi.Storage;

import java.lang.ref.Cleaner;

/** Device memory, named by its driver's handle; freed when the storage becomes unreachable. */
final class CudaStorage implements Storage {
    private static final Cleaner CLEANER = Cleaner.create();

    private final CudaBackend backend;
    private final Object handle;
    private final long length;

    CudaStorage(CudaBackend backend, Object handle, long length, Runnable freer) {
        this.backend = backend;
        this.handle = handle;
        this.length = length;
        CLEANER.register(this, freer);
    }

    Object handle() {
        return handle;
    }

    @Override
    public Backend backend() {
        return backend;
    }

    @Override
    public long length() {
        return length;
    }
}
