package dev.fineturn.cpu;

import dev.fineturn.reference.PoolKernels;
import dev.fineturn.spi.PoolGeometry;
import dev.fineturn.spi.Storage;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.SplittableRandom;

import static dev.fineturn.cpu.KernelFixtures.CPU;
import static dev.fineturn.cpu.KernelFixtures.assertClose;
import static dev.fineturn.cpu.KernelFixtures.read;
import static dev.fineturn.cpu.KernelFixtures.signed;
import static dev.fineturn.cpu.KernelFixtures.upload;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Pooling against the reference on planes wide enough for the vector columns, with the window
 * geometries of common networks, ceil mode, asymmetric padding and strides without a vector path.
 */
class CpuPoolingKernelsTest {
    static List<PoolGeometry> geometries() {
        return List.of(
                pool(2, 3, 40, 41, 2, 2, 0, 0, false, true),
                pool(2, 3, 37, 37, 3, 2, 1, 1, false, true),
                pool(2, 3, 37, 40, 3, 2, 1, 1, false, false),
                pool(1, 2, 33, 35, 3, 1, 1, 1, false, true),
                pool(1, 2, 33, 35, 3, 1, 1, 1, false, false),
                pool(1, 2, 35, 35, 2, 2, 0, 0, true, true),
                pool(1, 2, 38, 38, 3, 2, 1, 1, true, false),
                pool(1, 2, 30, 30, 5, 1, 2, 2, false, true),
                pool(1, 2, 30, 47, 3, 3, 0, 1, false, true),
                new PoolGeometry(2, 2, 21, 36, 3, 3, 2, 2, 0, 1, 1, 0, false, false),
                pool(4, 8, 16, 16, 2, 2, 0, 0, false, true),
                // fewer whole-window columns than 16 (and than 8) lanes: rows padded with -infinity
                pool(2, 3, 32, 32, 3, 2, 1, 1, false, true),
                // ResNet's pool over maps twice the output: row maxima first, several vectors per output row
                pool(2, 3, 64, 64, 3, 2, 1, 1, false, true),
                pool(1, 2, 64, 16, 3, 2, 1, 1, false, true),
                pool(2, 3, 16, 16, 3, 2, 1, 1, false, true),
                pool(1, 2, 17, 18, 3, 1, 1, 1, false, true),
                pool(1, 2, 33, 33, 3, 2, 1, 1, true, true));
    }

    private static PoolGeometry pool(int n, int c, int h, int w, int k, int s, int padY, int padX, boolean ceil,
                                     boolean includePad) {
        return new PoolGeometry(n, c, h, w, k, k, s, s, padY, padX, padY, padX, ceil, includePad);
    }

    /** Values on a coarse grid (many ties), signed zeros and a few NaNs. */
    private static float[] tiedInput(int n) {
        SplittableRandom r = new SplittableRandom(n);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextInt(7) - 3;
            if (x[i] == 0f && r.nextBoolean()) {
                x[i] = -0f;
            }
        }
        for (int i = 0; i < n; i += 97) {
            x[i] = Float.NaN;
        }
        return x;
    }

    private static int inputSize(PoolGeometry g) {
        return g.batch() * g.channels() * g.inH() * g.inW();
    }

    private static int outputSize(PoolGeometry g) {
        return g.batch() * g.channels() * g.outH() * g.outW();
    }

    @ParameterizedTest
    @MethodSource("geometries")
    void maxPoolingMatchesReferenceExactlyWithTiesAndNaN(PoolGeometry g) {
        assertMaxPoolingMatchesReference(g, tiedInput(inputSize(g)), 3);
    }

    /**
     * Mostly -infinity: many windows hold nothing else, where the first element in row-major order is the maximum
     * (a padded plane must not pick its padding there).
     */
    @ParameterizedTest
    @MethodSource("geometries")
    void maxPoolingOverMinusInfinityMatchesReference(PoolGeometry g) {
        float[] x = tiedInput(inputSize(g));
        for (int i = 0; i < x.length; i++) {
            if (i % 7 != 0) {
                x[i] = Float.NEGATIVE_INFINITY;
            }
        }
        assertMaxPoolingMatchesReference(g, x, 8);
    }

    /** Forward and backward bit for bit against the reference; gradients from seeds {@code seed} and the next. */
    private static void assertMaxPoolingMatchesReference(PoolGeometry g, float[] x, int seed) {
        float[] y = new float[outputSize(g)];
        PoolKernels.maxForward(g, x, y);
        Storage ys = CPU.allocate(y.length);
        Storage xs = upload(x);
        CPU.maxPool2dForward(g, xs, ys);
        assertArrayEquals(y, read(ys), "forward " + g);

        float[] dy = signed(y.length, seed);
        float[] dx = new float[x.length];
        PoolKernels.maxBackward(g, x, dy, dx);
        Storage dxs = upload(signed(x.length, seed + 1));
        CPU.maxPool2dBackward(g, xs, upload(dy), dxs);
        assertArrayEquals(dx, read(dxs), "backward " + g);
    }

    @ParameterizedTest
    @MethodSource("geometries")
    void averagePoolingMatchesReference(PoolGeometry g) {
        float[] x = signed(inputSize(g), 5);
        float[] y = new float[outputSize(g)];
        PoolKernels.avgForward(g, x, y);
        Storage ys = CPU.allocate(y.length);
        CPU.avgPool2dForward(g, upload(x), ys);
        assertClose("forward " + g, y, read(ys), 1e-5);

        float[] dy = signed(y.length, 6);
        float[] dx = new float[x.length];
        PoolKernels.avgBackward(g, dy, dx);
        Storage dxs = upload(signed(x.length, 7));
        CPU.avgPool2dBackward(g, upload(dy), dxs);
        assertClose("backward " + g, dx, read(dxs), 1e-5);
    }
}
