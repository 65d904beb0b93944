package dev.fineturn.cuda;

import dev.fineturn.backend.Backends;
import org.junit.jupiter.api.Assumptions;

/**
 * The CUDA backend for tests, or a skipped test, with the probe's reason, where there is no GPU.
 * With FINETURN_REQUIRE_CUDA=1 (the GPU run sets it) a missing device fails instead.
 */
final class CudaTestDevice {
    private CudaTestDevice() {
    }

    static CudaBackend backend() {
        Backends.Status s = Backends.statuses().stream().filter(x -> x.name().equals(CudaBackend.NAME)).findFirst()
                .orElseThrow(() -> new AssertionError("cuda provider not discovered through ServiceLoader"));
        if (!s.available() && "1".equals(System.getenv("FINETURN_REQUIRE_CUDA"))) {
            throw new AssertionError("CUDA required but unavailable: " + s.reason());
        }
        Assumptions.assumeTrue(s.available(), "CUDA unavailable: " + s.reason());
        return (CudaBackend) Backends.get(CudaBackend.NAME);
    }
}
