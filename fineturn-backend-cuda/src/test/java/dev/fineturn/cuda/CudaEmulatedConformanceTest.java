package dev.fineturn.cuda;

import dev.fineturn.conformance.BackendConformanceKit;
import dev.fineturn.spi.Backend;
import org.junit.jupiter.api.BeforeAll;

/**
 * The conformance kit on the real CudaBackend with its launches executed by the CPU emulation of
 * kernels.cu ({@link EmulatedDriver}). Skipped when g++ is not on the PATH.
 */
class CudaEmulatedConformanceTest extends BackendConformanceKit {
    private static Backend backend;

    @BeforeAll
    static void start() throws Exception {
        backend = new CudaBackend(EmulatedDriver.shared());
    }

    @Override
    protected Backend backend() {
        return backend;
    }
}
