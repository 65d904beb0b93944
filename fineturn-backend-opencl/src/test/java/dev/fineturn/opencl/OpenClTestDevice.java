package dev.fineturn.opencl;

import dev.fineturn.backend.Backends;
import org.junit.jupiter.api.Assumptions;

/**
 * The OpenCL backend for tests, or a skipped test when there is no device. With
 * FINETURN_REQUIRE_OPENCL=1 a missing device fails instead.
 */
final class OpenClTestDevice {
    private OpenClTestDevice() {
    }

    static OpenClBackend backend() {
        Backends.Status s = Backends.statuses().stream().filter(x -> x.name().equals(OpenClBackend.NAME)).findFirst()
                .orElseThrow(() -> new AssertionError("opencl provider not discovered through ServiceLoader"));
        if (!s.available() && "1".equals(System.getenv("FINETURN_REQUIRE_OPENCL"))) {
            throw new AssertionError("OpenCL required but unavailable: " + s.reason());
        }
        Assumptions.assumeTrue(s.available(), "OpenCL unavailable: " + s.reason());
        return (OpenClBackend) Backends.get(OpenClBackend.NAME);
    }
}
