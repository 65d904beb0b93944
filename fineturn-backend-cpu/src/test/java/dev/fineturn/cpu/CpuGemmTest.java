package dev.fineturn.cpu;

import dev.fineturn.reference.GemmKernels;
import dev.fineturn.spi.GemmSpec;
import dev.fineturn.spi.HostStorage;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * GEMM sizes large enough to cross every blocking boundary (several KC and MC blocks, full and
 * edge micro-tiles) in every transpose variant, against the reference kernel, on 1 and 2 threads.
 */
class CpuGemmTest {
    @ParameterizedTest
    @CsvSource({"197,173,411,false,false,1", "197,173,411,true,false,2", "64,240,192,false,true,2",
            "131,81,385,true,true,1", "1,97,33,false,false,2", "250,3,7,true,false,2"})
    void matchesTheReference(int m, int n, int k, boolean ta, boolean tb, int threads) {
        CpuPool.setThreads(threads);
        try {
            SplittableRandom r = new SplittableRandom(m * 31L + n);
            float[] a = new float[m * k + 3];
            float[] b = new float[k * n + 3];
            float[] c = new float[m * n + 3];
            for (float[] v : new float[][]{a, b, c}) {
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (r.nextDouble() * 2 - 1);
                }
            }
            GemmSpec spec = GemmSpec.of(m, n, k, ta, tb);
            float[] expected = c.clone();
            GemmKernels.gemm(spec, 0.5f, a, 3, b, 3, 0.25f, expected, 3);
            CpuBackend be = CpuBackend.get();
            be.gemm(spec, 0.5f, new HostStorage(be, a), 3, new HostStorage(be, b), 3, 0.25f, new HostStorage(be, c), 3);
            for (int i = 0; i < c.length; i++) {
                if (Math.abs(expected[i] - c[i]) > 1e-4 * Math.sqrt(k) + 1e-5) {
                    fail("element " + i + ": reference " + expected[i] + ", cpu " + c[i]);
                }
            }
        } finally {
            CpuPool.setThreads(Runtime.getRuntime().availableProcessors());
        }
    }
}
