package dev.fineturn.opencl;

import dev.fineturn.reference.ElementwiseKernels;
import dev.fineturn.spi.Storage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static dev.fineturn.conformance.TrainingFixtures.assertClose;
import static dev.fineturn.conformance.TrainingFixtures.random;

/** Sum-reduce over mixed axis patterns, few and many summands per output. */
class ClReduceTest {
    private static OpenClBackend backend;
    private static DeviceArrays d;

    @BeforeAll
    static void device() {
        backend = OpenClTestDevice.backend();
        d = new DeviceArrays(backend);
    }

    @Test
    void everyAxisPatternMatchesReference() {
        int[][][] cases = {
            {{4, 5, 6, 7}, {1, 5, 1, 7}},
            {{4, 5, 6, 7}, {4, 1, 6, 1}},
            {{4, 5, 6, 7}, {1, 1, 1, 1}},
            {{4, 5, 6, 7}, {4, 5, 6, 7}},
            {{3000}, {1}},
            {{2, 1, 3, 1, 50}, {1, 1, 3, 1, 1}},
            {{33, 70}, {33, 1}},
            {{33, 70}, {1, 70}},
            {{1, 1}, {1, 1}},
        };
        for (int[][] c : cases) {
            int[] in = c[0];
            int[] out = c[1];
            int n = 1;
            int m = 1;
            for (int i = 0; i < in.length; i++) {
                n *= in[i];
                m *= out[i];
            }
            float[] x = random(n, 41);
            float[] expected = new float[m];
            ElementwiseKernels.sumReduce(in, x, out, expected);
            Storage sx = d.up(x);
            Storage sy = d.up(random(m, 42));
            d.onDevice(() -> backend.sumReduce(in, sx, out, sy));
            assertClose(java.util.Arrays.toString(in) + " -> " + java.util.Arrays.toString(out), expected,
                    d.down(sy, m), 1e-5);
        }
    }
}
