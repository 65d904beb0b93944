package dev.fineturn.opencl;

import dev.fineturn.reference.ConvKernels;
import dev.fineturn.spi.ConvGeometry;
import dev.fineturn.spi.Storage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

import static dev.fineturn.conformance.TrainingFixtures.assertClose;
import static dev.fineturn.conformance.TrainingFixtures.random;

/**
 * Convolution kernels against the reference on shapes larger than one 16x16 tile, covering the
 * implicit-GEMM path (packed panels and local-memory tiles), the split weight-gradient reduction and
 * the direct (depthwise) path.
 */
class ClConvTest {
    private static OpenClBackend backend;
    private static DeviceArrays d;

    @BeforeAll
    static void device() {
        backend = OpenClTestDevice.backend();
        d = new DeviceArrays(backend);
    }

    static List<ConvGeometry> geometries() {
        return List.of(
                // batch, inC, inH, inW, outC, kh, kw, sh, sw, padT, padL, padB, padR, dilH, dilW, groups
                new ConvGeometry(2, 20, 17, 19, 24, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1),
                new ConvGeometry(3, 12, 15, 13, 18, 3, 3, 2, 2, 0, 1, 2, 1, 2, 2, 2),
                new ConvGeometry(2, 40, 5, 6, 33, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1),
                new ConvGeometry(4, 8, 24, 24, 20, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1),
                new ConvGeometry(2, 16, 20, 20, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 16),
                new ConvGeometry(1, 8, 23, 21, 8, 5, 5, 2, 2, 2, 3, 1, 0, 2, 1, 8),
                new ConvGeometry(1, 12, 9, 9, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 3),
                // k = 360 spans two k chunks of the packed path; 4,800 pixels span two column chunks
                new ConvGeometry(2, 40, 9, 11, 24, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1),
                new ConvGeometry(3, 8, 40, 40, 20, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1));
    }

    @ParameterizedTest
    @MethodSource("geometries")
    void forwardAndBothGradientsMatchReference(ConvGeometry g) {
        boolean original = backend.cpuKernels();
        try {
            for (boolean packed : new boolean[]{true, false}) {
                backend.cpuKernels(packed);
                check(g, packed ? "cpu kernels" : "gpu kernels");
            }
        } finally {
            backend.cpuKernels(original);
        }
    }

    private void check(ConvGeometry g, String path) {
        int xn = g.batch() * g.inChannels() * g.inH() * g.inW();
        int wn = g.outChannels() * g.inChannelsPerGroup() * g.kernelH() * g.kernelW();
        int yn = g.batch() * g.outChannels() * g.outH() * g.outW();
        float[] x = random(xn, 1);
        float[] w = random(wn, 2);
        float[] dy = random(yn, 3);
        float[] y = new float[yn];
        float[] dx = new float[xn];
        float[] dw = new float[wn];
        ConvKernels.forward(g, x, w, y);
        ConvKernels.backwardData(g, dy, w, dx);
        ConvKernels.backwardWeights(g, x, dy, dw);
        Storage sx = d.up(x);
        Storage sw = d.up(w);
        Storage sdy = d.up(dy);
        Storage sy = d.zeros(yn);
        Storage sdx = d.zeros(xn);
        Storage sdw = d.zeros(wn);
        d.onDevice(() -> {
            backend.conv2dForward(g, sx, sw, sy);
            backend.conv2dBackwardData(g, sdy, sw, sdx);
            backend.conv2dBackwardWeights(g, sx, sdy, sdw);
        });
        assertClose(path + " " + g + " forward", y, d.down(sy, yn), 1e-5);
        assertClose(path + " " + g + " backward data", dx, d.down(sdx, xn), 1e-5);
        assertClose(path + " " + g + " backward weights", dw, d.down(sdw, wn), 1e-5);
    }
}
