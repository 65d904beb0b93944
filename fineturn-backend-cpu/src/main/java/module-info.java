/** The Java Vector API CPU backend. */
module dev.fineturn.backend.cpu {
    requires transitive dev.fineturn.core;
    requires jdk.incubator.vector;

    exports dev.fineturn.cpu;

    provides dev.fineturn.spi.BackendProvider with dev.fineturn.cpu.CpuBackendProvider;
}
