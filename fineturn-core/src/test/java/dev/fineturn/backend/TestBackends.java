package dev.fineturn.backend;

import dev.fineturn.spi.Backend;

/** Gives tests in other packages the kernel-less backend. */
public final class TestBackends {
    public Backend memoryOnly() {
        return MemoryOnlyBackend.INSTANCE;
    }
}
