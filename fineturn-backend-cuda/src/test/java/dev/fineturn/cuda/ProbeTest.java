package dev.fineturn.cuda;

import dev.fineturn.spi.Availability;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProbeTest {
    @Test
    void probeReportsWhyCudaCannotBeUsed() {
        Availability a = new CudaBackendProvider().probe();
        boolean driverPresent = Files.exists(Path.of("/dev/nvidiactl"));
        if (!driverPresent) {
            assertFalse(a.available(), "no NVIDIA device node, yet the probe says available: " + a.reason());
            assertTrue(a.reason().contains("libcuda") || a.reason().contains("CUDA driver"), a.reason());
        }
        assertFalse(a.reason().isBlank());
    }
}
