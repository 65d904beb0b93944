package dev.fineturn.opencl;

import dev.fineturn.reference.PoolKernels;
import dev.fineturn.spi.PoolGeometry;
import dev.fineturn.spi.Storage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

import static dev.fineturn.conformance.TrainingFixtures.assertClose;
import static dev.fineturn.conformance.TrainingFixtures.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** Pooling against the reference: ties (first max wins), NaN, ceil mode, asymmetric padding. */
class ClPoolTest {
    private static OpenClBackend backend;
    private static DeviceArrays d;

    @BeforeAll
    static void device() {
        backend = OpenClTestDevice.backend();
        d = new DeviceArrays(backend);
    }

    static List<PoolGeometry> geometries() {
        return List.of(
                // batch, channels, inH, inW, kh, kw, sh, sw, padT, padL, padB, padR, ceil, countIncludePad
                new PoolGeometry(2, 3, 7, 8, 3, 3, 2, 2, 1, 0, 1, 1, true, true),
                new PoolGeometry(2, 3, 7, 8, 3, 3, 2, 2, 1, 0, 1, 1, true, false),
                new PoolGeometry(1, 4, 9, 9, 3, 2, 2, 1, 1, 1, 0, 0, false, false),
                new PoolGeometry(3, 2, 6, 6, 2, 2, 2, 2, 0, 0, 0, 0, false, true),
                new PoolGeometry(1, 2, 5, 11, 3, 3, 3, 3, 1, 1, 1, 1, true, true));
    }

    /** Values on a coarse grid so windows hold ties, plus NaN and -infinity. */
    private static float[] awkward(int n) {
        float[] v = random(n, 11);
        for (int i = 0; i < n; i++) {
            v[i] = Math.round(v[i] * 2) / 2f;
        }
        v[5] = Float.NaN;
        v[n / 2] = Float.NaN;
        v[n / 3] = Float.NEGATIVE_INFINITY;
        return v;
    }

    @ParameterizedTest
    @MethodSource("geometries")
    void maxPoolIsIdenticalToReference(PoolGeometry g) {
        int xn = g.batch() * g.channels() * g.inH() * g.inW();
        int yn = g.batch() * g.channels() * g.outH() * g.outW();
        float[] x = awkward(xn);
        float[] dy = random(yn, 12);
        float[] y = new float[yn];
        float[] dx = new float[xn];
        PoolKernels.maxForward(g, x, y);
        PoolKernels.maxBackward(g, x, dy, dx);
        Storage sx = d.up(x);
        Storage sdy = d.up(dy);
        Storage sy = d.zeros(yn);
        Storage sdx = d.up(random(xn, 13));
        d.onDevice(() -> {
            backend.maxPool2dForward(g, sx, sy);
            backend.maxPool2dBackward(g, sx, sdy, sdx);
        });
        assertArrayEquals(y, d.down(sy, yn), g + " forward");
        assertArrayEquals(dx, d.down(sdx, xn), g + " backward");
    }

    @ParameterizedTest
    @MethodSource("geometries")
    void avgPoolMatchesReference(PoolGeometry g) {
        int xn = g.batch() * g.channels() * g.inH() * g.inW();
        int yn = g.batch() * g.channels() * g.outH() * g.outW();
        float[] x = random(xn, 14);
        float[] dy = random(yn, 15);
        float[] y = new float[yn];
        float[] dx = new float[xn];
        PoolKernels.avgForward(g, x, y);
        PoolKernels.avgBackward(g, dy, dx);
        Storage sx = d.up(x);
        Storage sdy = d.up(dy);
        Storage sy = d.zeros(yn);
        Storage sdx = d.up(random(xn, 16));
        d.onDevice(() -> {
            backend.avgPool2dForward(g, sx, sy);
            backend.avgPool2dBackward(g, sdy, sdx);
        });
        assertClose(g + " forward", y, d.down(sy, yn), 1e-6);
        assertClose(g + " backward", dx, d.down(sdx, xn), 1e-6);
    }
}
