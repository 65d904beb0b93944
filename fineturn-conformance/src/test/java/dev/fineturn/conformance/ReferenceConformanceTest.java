package dev.fineturn.conformance;

import dev.fineturn.reference.ReferenceBackend;
import dev.fineturn.spi.Backend;

/** The oracle runs the kit too: its gradients are checked against finite differences. */
class ReferenceConformanceTest extends BackendConformanceKit {
    @Override
    protected Backend backend() {
        return ReferenceBackend.get();
    }
}
