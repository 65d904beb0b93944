package dev.fineturn.opencl;

import dev.fineturn.reference.SoftmaxKernels;
import dev.fineturn.spi.Storage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static dev.fineturn.conformance.TrainingFixtures.assertClose;
import static dev.fineturn.conformance.TrainingFixtures.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Row softmax and cross-entropy against the reference, with rows wider than a work-group. */
class ClSoftmaxTest {
    private static OpenClBackend backend;
    private static DeviceArrays d;

    @BeforeAll
    static void device() {
        backend = OpenClTestDevice.backend();
        d = new DeviceArrays(backend);
    }

    @ParameterizedTest
    @CsvSource({"3, 1000, false", "3, 1000, true", "17, 7, false", "17, 7, true", "2, 1, true"})
    void softmaxAndBackwardMatchReference(int rows, int cols, boolean log) {
        int n = rows * cols;
        float[] x = random(n, 21);
        for (int i = 0; i < n; i++) {
            x[i] *= 8;
        }
        float[] dy = random(n, 22);
        float[] y = new float[n];
        float[] dx = new float[n];
        SoftmaxKernels.softmax(rows, cols, log, x, y);
        SoftmaxKernels.softmaxBackward(rows, cols, log, y, dy, dx);
        Storage sx = d.up(x);
        Storage sy = d.zeros(n);
        Storage sdy = d.up(dy);
        Storage sdx = d.zeros(n);
        d.onDevice(() -> {
            backend.softmax(rows, cols, log, sx, sy);
            backend.softmaxBackward(rows, cols, log, sy, sdy, sdx);
        });
        assertClose("softmax", y, d.down(sy, n), 1e-5);
        assertClose("softmax backward", dx, d.down(sdx, n), 1e-5);
    }

    @Test
    void nanPropagatesThroughItsRowOnly() {
        float[] x = random(2 * 300, 23);
        x[400] = Float.NaN;
        float[] y = new float[x.length];
        SoftmaxKernels.softmax(2, 300, false, x, y);
        Storage sy = d.zeros(x.length);
        Storage sx = d.up(x);
        d.onDevice(() -> backend.softmax(2, 300, false, sx, sy));
        assertClose("softmax with NaN", y, d.down(sy, x.length), 1e-5);
    }

    @ParameterizedTest
    @CsvSource({"4, 300, 0.1", "9, 10, 0", "1, 2, 0.3"})
    void crossEntropyMatchesReference(int rows, int cols, float smoothing) {
        float[] logits = random(rows * cols, 24);
        float[] labels = new float[rows];
        for (int r = 0; r < rows; r++) {
            labels[r] = (r * 7 + 3) % cols;
        }
        float[] dRow = random(rows, 25);
        float[] probs = new float[rows * cols];
        float[] loss = new float[rows];
        float[] dLogits = new float[rows * cols];
        SoftmaxKernels.crossEntropyForward(rows, cols, smoothing, logits, labels, probs, loss);
        SoftmaxKernels.crossEntropyBackward(rows, cols, smoothing, probs, labels, dRow, dLogits);
        Storage sl = d.up(logits);
        Storage slab = d.up(labels);
        Storage sdr = d.up(dRow);
        Storage sp = d.zeros(rows * cols);
        Storage sloss = d.zeros(rows);
        Storage sdl = d.zeros(rows * cols);
        d.onDevice(() -> {
            backend.crossEntropyForward(rows, cols, smoothing, sl, slab, sp, sloss);
            backend.crossEntropyBackward(rows, cols, smoothing, sp, slab, sdr, sdl);
        });
        assertClose("probs", probs, d.down(sp, rows * cols), 1e-5);
        assertClose("row loss", loss, d.down(sloss, rows), 1e-5);
        assertClose("dLogits", dLogits, d.down(sdl, rows * cols), 1e-5);
    }

    @Test
    void invalidDeviceLabelGivesNanForItsRow() {
        Storage logits = d.up(random(3 * 4, 26));
        Storage labels = d.up(new float[]{1f, 2.5f, 4f});
        Storage probs = d.zeros(12);
        Storage loss = d.zeros(3);
        backend.crossEntropyForward(3, 4, 0f, logits, labels, probs, loss);
        float[] l = d.down(loss, 3);
        assertTrue(Float.isFinite(l[0]), "valid label");
        assertEquals(Float.NaN, l[1], "non-integer label");
        assertEquals(Float.NaN, l[2], "label out of range");
    }
}
