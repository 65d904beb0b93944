package dev.fineturn.cpu;

import dev.fineturn.reference.NormKernels;
import dev.fineturn.reference.SoftmaxKernels;
import dev.fineturn.spi.Storage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.fineturn.cpu.KernelFixtures.CPU;
import static dev.fineturn.cpu.KernelFixtures.assertClose;
import static dev.fineturn.cpu.KernelFixtures.read;
import static dev.fineturn.cpu.KernelFixtures.signed;
import static dev.fineturn.cpu.KernelFixtures.uniform;
import static dev.fineturn.cpu.KernelFixtures.upload;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Batch norm, softmax and cross-entropy against the reference, for every layout the kernels split on. */
class CpuNormAndSoftmaxKernelsTest {
    private static final int[][] BATCH_NORM_SHAPES = {{8, 16, 1}, {3, 37, 1}, {6, 5, 3}, {4, 3, 35}, {16, 8, 1024}};

    @Test
    void batchNormMatchesReferenceForEveryLayout() {
        for (int[] s : BATCH_NORM_SHAPES) {
            int n = s[0];
            int c = s[1];
            int hw = s[2];
            String what = n + "x" + c + "x" + hw;
            // An offset mean makes the variance sensitive to how deviations are accumulated.
            float[] x = uniform(n * c * hw, 1, 2f, 4f);
            float[] mean = new float[c];
            float[] var = new float[c];
            NormKernels.statistics(n, c, hw, x, mean, var);
            Storage ms = CPU.allocate(c);
            Storage vs = CPU.allocate(c);
            Storage xs = upload(x);
            CPU.batchNormStatistics(n, c, hw, xs, ms, vs);
            assertClose(what + " mean", mean, read(ms), 1e-6);
            assertClose(what + " var", var, read(vs), 1e-5);

            float[] gamma = uniform(c, 2, 0.5f, 1.5f);
            float[] beta = signed(c, 3);
            float[] y = new float[x.length];
            NormKernels.forward(n, c, hw, 1e-5f, x, mean, var, gamma, beta, y);
            Storage ys = CPU.allocate(x.length);
            CPU.batchNormForward(n, c, hw, 1e-5f, xs, upload(mean), upload(var), upload(gamma), upload(beta), ys);
            assertClose(what + " forward", y, read(ys), 1e-5);

            float[] dy = signed(x.length, 4);
            for (boolean batchStatistics : new boolean[]{true, false}) {
                float[] dx = new float[x.length];
                float[] dg = new float[c];
                float[] db = new float[c];
                NormKernels.backward(n, c, hw, 1e-5f, batchStatistics, x, dy, mean, var, gamma, dx, dg, db);
                Storage dxs = CPU.allocate(x.length);
                Storage dgs = CPU.allocate(c);
                Storage dbs = CPU.allocate(c);
                CPU.batchNormBackward(n, c, hw, 1e-5f, batchStatistics, xs, upload(dy), upload(mean), upload(var),
                        upload(gamma), dxs, dgs, dbs);
                String mode = what + (batchStatistics ? " train" : " eval");
                assertClose(mode + " dx", dx, read(dxs), 1e-4);
                assertClose(mode + " dgamma", dg, read(dgs), 1e-5);
                assertClose(mode + " dbeta", db, read(dbs), 1e-5);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 5, 10, 1000, 1003})
    void softmaxAndLogSoftmaxMatchReference(int cols) {
        int rows = 37;
        float[] x = uniform(rows * cols, cols, -6f, 6f);
        for (boolean log : new boolean[]{false, true}) {
            float[] y = new float[x.length];
            SoftmaxKernels.softmax(rows, cols, log, x, y);
            Storage ys = CPU.allocate(x.length);
            CPU.softmax(rows, cols, log, upload(x), ys);
            assertClose((log ? "log_softmax " : "softmax ") + cols, y, read(ys), 1e-5);

            float[] dy = signed(x.length, 8);
            float[] dx = new float[x.length];
            SoftmaxKernels.softmaxBackward(rows, cols, log, y, dy, dx);
            Storage dxs = CPU.allocate(x.length);
            CPU.softmaxBackward(rows, cols, log, upload(y), upload(dy), dxs);
            assertClose((log ? "log_softmax " : "softmax ") + cols + " backward", dx, read(dxs), 1e-5);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 10, 1000, 1003})
    void crossEntropyWithLabelSmoothingMatchesReference(int cols) {
        int rows = 19;
        float[] logits = uniform(rows * cols, cols, -5f, 5f);
        float[] labels = new float[rows];
        for (int r = 0; r < rows; r++) {
            labels[r] = (r * 7) % cols;
        }
        for (float smoothing : new float[]{0f, 0.1f}) {
            float[] probs = new float[logits.length];
            float[] loss = new float[rows];
            SoftmaxKernels.crossEntropyForward(rows, cols, smoothing, logits, labels, probs, loss);
            Storage ps = CPU.allocate(logits.length);
            Storage ls = CPU.allocate(rows);
            CPU.crossEntropyForward(rows, cols, smoothing, upload(logits), upload(labels), ps, ls);
            assertClose("probs", probs, read(ps), 1e-5);
            assertClose("row loss", loss, read(ls), 1e-5);

            float[] dRow = uniform(rows, 9, 0.1f, 1f);
            float[] dLogits = new float[logits.length];
            SoftmaxKernels.crossEntropyBackward(rows, cols, smoothing, probs, labels, dRow, dLogits);
            Storage ds = CPU.allocate(logits.length);
            CPU.crossEntropyBackward(rows, cols, smoothing, upload(probs), upload(labels), upload(dRow), ds);
            assertArrayEquals(dLogits, read(ds), "gradient, smoothing " + smoothing);
        }
    }

    @Test
    void crossEntropyRejectsLabelsOutsideTheClasses() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CPU.crossEntropyForward(2, 3,
                0f, upload(new float[6]), upload(new float[]{1f, 3f}), CPU.allocate(6), CPU.allocate(2)));
        assertEquals("cross_entropy: label 3.0 at row 1 is outside [0, 3)", e.getMessage());
    }
}
