package dev.fineturn.opencl;

import dev.fineturn.spi.Backend;
import dev.fineturn.spi.Storage;
import org.jocl.CL;
import org.jocl.cl_mem;

import java.lang.ref.Cleaner;

/** A device buffer; released when the storage becomes unreachable. */
final class ClStorage implements Storage {
    private static final Cleaner CLEANER = Cleaner.create();

    private final OpenClBackend backend;
    private final cl_mem mem;
    private final long length;

    ClStorage(OpenClBackend backend, cl_mem mem, long length) {
        this.backend = backend;
        this.mem = mem;
        this.length = length;
        CLEANER.register(this, () -> CL.clReleaseMemObject(mem));
    }

    cl_mem mem() {
        return mem;
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
