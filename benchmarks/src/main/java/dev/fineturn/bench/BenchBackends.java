package dev.fineturn.bench;

import dev.fineturn.backend.Backends;
import dev.fineturn.spi.Backend;

/** Backend lookup for benchmark setups; thread count applies to the CPU backend's shared pool. */
final class BenchBackends {
    private BenchBackends() {
    }

    static Backend get(String name, int threads) {
        Backend b = Backends.get(name);
        if (name.equals("cpu")) {
            dev.fineturn.cpu.CpuPool.setThreads(threads);
        }
        Backends.setDefault(b);
        dev.fineturn.nn.Init.useBackend(b);
        return b;
    }
}
