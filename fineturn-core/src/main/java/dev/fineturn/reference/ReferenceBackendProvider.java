package dev.fineturn.reference;

import dev.fineturn.spi.Availability;
import dev.fineturn.spi.Backend;
import dev.fineturn.spi.BackendProvider;

/** Registers the reference backend. Lowest priority: it is chosen only when nothing else works. */
public final class ReferenceBackendProvider implements BackendProvider {
    @Override
    public String name() {
        return ReferenceBackend.NAME;
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public Availability probe() {
        return Availability.ok("plain Java, single-threaded");
    }

    @Override
    public Backend create() {
        return ReferenceBackend.get();
    }
}
