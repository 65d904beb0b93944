package dev.fineturn.cuda;

import dev.fineturn.backend.Backends;
import org.junit.jupiter.api.Assumptions;

/** The CUDA backend for tests, or a skipped test, with the probe's reason, where there is no GPU. */
final class CudaTestDevice {
    private CudaTestDevice() {
    }

    static CudaBackend backend() {
        Backends.Status s = Backends.statuses().stream().filter(x -> x.name().equals(CudaBackend.NAME)).findFirst()
                .orElseThrow(() -> new AssertionError("cuda provider not discovered through ServiceLoader"));
        Assumptions.assumeTrue(s.available(), "CUDA unavailable: " + s.reason());
        return (CudaBackend) Backends.get(CudaBackend.NAME);
    }
}
