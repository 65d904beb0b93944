package dev.fineturn.cpu;

import dev.fineturn.conformance.BackendConformanceKit;
import dev.fineturn.spi.Backend;

class CpuConformanceTest extends BackendConformanceKit {
    @Override
    protected Backend backend() {
        return CpuBackend.get();
    }
}
