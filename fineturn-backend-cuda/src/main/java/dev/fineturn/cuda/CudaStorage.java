package dev.fineturn.cuda;

import dev.fineturn.spi.Backend;
import dev.fineturn.spi.Storage;
import jcuda.driver.CUdeviceptr;

import java.lang.ref.Cleaner;

/** Device memory from cuMemAlloc; freed when the storage becomes unreachable. */
final class CudaStorage implements Storage {
    private static final Cleaner CLEANER = Cleaner.create();

    private final CudaBackend backend;
    private final CUdeviceptr ptr;
    private final long length;

    CudaStorage(CudaBackend backend, CUdeviceptr ptr, long length) {
        this.backend = backend;
        this.ptr = ptr;
        this.length = length;
        CLEANER.register(this, backend.freer(ptr));
    }

    CUdeviceptr ptr() {
        return ptr;
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
