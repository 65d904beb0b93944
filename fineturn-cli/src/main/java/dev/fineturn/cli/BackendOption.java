package dev.fineturn.cli;

import dev.fineturn.backend.Backends;
import dev.fineturn.nn.Init;
import dev.fineturn.spi.Backend;
import picocli.CommandLine.Option;

/** Options every compute command shares. */
final class BackendOption {
    @Option(names = "--backend", paramLabel = "NAME",
            description = "Compute backend: cpu, opencl, cuda or reference (default: the best available).")
    String backend;

    @Option(names = "--quiet", description = "Print only the result.")
    boolean quiet;

    @Option(names = "--verbose", description = "Show stack traces on errors.")
    boolean verbose;

    /** Selects the backend and makes new modules allocate on it. */
    Backend select() {
        Backend b = backend == null ? Backends.defaultBackend() : Backends.get(backend);
        Backends.setDefault(b);
        Init.useBackend(b);
        return b;
    }
}
