package dev.fineturn.opencl;

import dev.fineturn.backend.Backends;
import dev.fineturn.conformance.BackendConformanceKit;
import dev.fineturn.spi.Backend;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * The conformance kit on OpenCL. CI installs PoCL, so the kit must run there; set
 * FINETURN_REQUIRE_OPENCL=1 (as .ci/run does) to fail instead of skipping when no device is found.
 */
class OpenClConformanceTest extends BackendConformanceKit {
    private static Backend backend;
    private static Backends.Status status;

    @BeforeAll
    static void probe() {
        Backends.Status s = Backends.statuses().stream().filter(x -> x.name().equals("opencl")).findFirst()
                .orElseThrow(() -> new AssertionError("opencl provider not discovered through ServiceLoader"));
        if (!s.available() && "1".equals(System.getenv("FINETURN_REQUIRE_OPENCL"))) {
            throw new AssertionError("OpenCL required but unavailable: " + s.reason());
        }
        status = s;
        if (s.available()) {
            backend = Backends.get("opencl");
        }
    }

    @BeforeEach
    void requireDevice() {
        Assumptions.assumeTrue(status.available(), "OpenCL unavailable: " + status.reason());
    }

    @Override
    protected Backend backend() {
        return backend;
    }
}
