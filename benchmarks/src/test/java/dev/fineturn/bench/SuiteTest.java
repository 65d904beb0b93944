package dev.fineturn.bench;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SuiteTest {
    @Test
    void eachBenchmarkTurnsItsTimeIntoARate() {
        // 8 GEMMs of 256^3 multiply-adds in 4 ms.
        assertEquals(8 * 2.0 * 256 * 256 * 256 / 0.004 / 1e9,
                GemmBenchmark.THROUGHPUT.rate(Map.of("n", "256", "queue", "8"), 4), 1e-9);
        assertEquals(2.0 * 512 * 512 * 512 / 0.010 / 1e9, GemmBenchmark.THROUGHPUT.rate(Map.of("n", "512"), 10), 1e-9);
        // cifar: 64 -> 64 channels, 3 x 3, over 32 x 32 outputs, batch 64; forward+backward is three passes.
        double forward = 2.0 * 64 * 64 * 32 * 32 * 64 * 3 * 3;
        assertEquals(forward / 0.001 / 1e9,
                ConvBenchmark.THROUGHPUT.rate(Map.of("layer", "cifar", "pass", "forward"), 1), 1e-6);
        assertEquals(3 * forward / 0.001 / 1e9,
                ConvBenchmark.THROUGHPUT.rate(Map.of("layer", "cifar", "pass", "forward+backward"), 1), 1e-6);
        assertEquals(320, ResNetStepBenchmark.THROUGHPUT.rate(Map.of(), 100), 1e-9);
        assertEquals(640, ResNetStepBenchmark.THROUGHPUT.rate(Map.of("batch", "64"), 100), 1e-9);
        assertEquals("img/s", ResNetStepBenchmark.THROUGHPUT.unit());
    }

    @Test
    void argumentsAreParsedAndBadOnesNamed() {
        SuiteArgs a = SuiteArgs.parse("--quick", "--backend", "cpu,opencl", "--only", "gemm", "--json", "r.json");
        assertEquals(new SuiteArgs(true, List.of("cpu", "opencl"), List.of("gemm"), Path.of("r.json")), a);
        assertEquals(Suite.FAMILIES, SuiteArgs.parse().families());
        assertEquals("--only: unknown benchmark [gemn] (known: gemm, conv, resnet)",
                assertThrows(IllegalArgumentException.class, () -> SuiteArgs.parse("--only", "gemn")).getMessage());
        assertEquals("--json needs a value",
                assertThrows(IllegalArgumentException.class, () -> SuiteArgs.parse("--json")).getMessage());
    }
}
