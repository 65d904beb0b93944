package dev.fineturn.cuda;

import dev.fineturn.backend.Backends;
import dev.fineturn.conformance.BackendConformanceKit;
import dev.fineturn.spi.Backend;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;

/** The conformance kit on the GPU; skipped, with the probe's reason, where there is none. */
@Tag("cuda")
class CudaConformanceTest extends BackendConformanceKit {
    private static Backend backend;
    private static Backends.Status status;

    @BeforeAll
    static void probe() {
        Backends.Status s = Backends.statuses().stream().filter(x -> x.name().equals("cuda")).findFirst()
                .orElseThrow(() -> new AssertionError("cuda provider not discovered through ServiceLoader"));
        if (!s.available() && "1".equals(System.getenv("FINETURN_REQUIRE_CUDA"))) {
            throw new AssertionError("CUDA required but unavailable: " + s.reason());
        }
        status = s;
        if (s.available()) {
            backend = Backends.get("cuda");
        }
    }

    @BeforeEach
    void requireDevice() {
        Assumptions.assumeTrue(status.available(), "CUDA unavailable: " + status.reason());
    }

    @Override
    protected Backend backend() {
        return backend;
    }
}
