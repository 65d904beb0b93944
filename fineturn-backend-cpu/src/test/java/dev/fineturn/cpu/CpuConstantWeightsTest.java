package dev.fineturn.cpu;

import dev.fineturn.nn.Activation;
import dev.fineturn.nn.BatchNorm2d;
import dev.fineturn.nn.Conv2d;
import dev.fineturn.nn.FusedInference;
import dev.fineturn.nn.Init;
import dev.fineturn.nn.Layer;
import dev.fineturn.nn.Sequential;
import dev.fineturn.optim.ParamGroup;
import dev.fineturn.optim.Sgd;
import dev.fineturn.reference.ReferenceBackend;
import dev.fineturn.spi.ConvEpilogue;
import dev.fineturn.spi.ConvGeometry;
import dev.fineturn.spi.Storage;
import dev.fineturn.tensor.GradMode;
import dev.fineturn.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.fineturn.cpu.KernelFixtures.CPU;
import static dev.fineturn.cpu.KernelFixtures.assertClose;
import static dev.fineturn.cpu.KernelFixtures.read;
import static dev.fineturn.cpu.KernelFixtures.signed;
import static dev.fineturn.cpu.KernelFixtures.upload;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Weights declared constant are packed once, on the fused forward's first use, and then read packed: the same
 * results as the reference on every later call, in image chunks and per image, on 1 and 2 threads; packed again
 * when the same storage serves another shape; and, through the layers, folded weights that an optimiser step
 * changes are new storages, so no stale pack is read.
 */
class CpuConstantWeightsTest {
    @AfterEach
    void restore() {
        Init.useBackend(null);
    }

    private static float[] referenceFused(ConvGeometry g, float[] x, float[] w, float[] bias, float[] residual) {
        ReferenceBackend ref = ReferenceBackend.get();
        int yn = g.batch() * g.outChannels() * g.outH() * g.outW();
        Storage y = ref.allocate(yn);
        ref.conv2dForwardFused(g, ref.upload(x), ref.upload(w), ref.upload(bias),
                residual == null ? null : ref.upload(residual), ConvEpilogue.RELU, y);
        float[] out = new float[yn];
        ref.read(y, 0, out, 0, yn);
        return out;
    }

    private static float[] cpuFused(ConvGeometry g, float[] x, Storage w, float[] bias, float[] residual) {
        Storage y = upload(signed(g.batch() * g.outChannels() * g.outH() * g.outW(), 9));
        CPU.conv2dForwardFused(g, upload(x), w, upload(bias), residual == null ? null : upload(residual),
                ConvEpilogue.RELU, y);
        return read(y);
    }

    @Test
    void constantWeightsArePackedOnceAndMatchTheReference() {
        // 3x3 over 72 channels: k = 648, two k blocks; 9 output channels, an odd last sliver of rows.
        int in = 72;
        int out = 9;
        float[] w = signed(out * in * 9, 2);
        float[] bias = signed(out, 3);
        Storage ws = upload(w);
        CPU.markConstant(ws);
        ConstantWeights.Packs packs = CPU.constantWeights().of(ws);
        assertNotNull(packs);
        int before = CpuPool.threads();
        try {
            // Small maps run in image chunks, a large one per image; batches of several sizes.
            ConvGeometry[] shapes = {
                new ConvGeometry(6, in, 6, 6, out, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1),
                new ConvGeometry(3, in, 5, 7, out, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1),
                new ConvGeometry(2, in, 24, 26, out, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1),
                new ConvGeometry(3, in, 9, 9, out, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1),
            };
            int call = 0;
            for (int threads : new int[]{1, 2}) {
                CpuPool.setThreads(threads);
                for (ConvGeometry g : shapes) {
                    float[] x = signed(g.batch() * in * g.inH() * g.inW(), 10 + call);
                    float[] residual = call % 2 == 0 ? null : signed(g.batch() * out * g.outH() * g.outW(), 20 + call);
                    assertClose(g + " call " + call + " on " + threads + " thread(s)",
                            referenceFused(g, x, w, bias, residual), cpuFused(g, x, ws, bias, residual), 1e-4);
                    call++;
                }
            }
        } finally {
            CpuPool.setThreads(before);
        }
        assertEquals(1, packs.made(), "one pack for every call of the same weight shape");
        // The same storage read as a 1x1 convolution over 648 channels in three groups: packed again.
        ConvGeometry pointwise = new ConvGeometry(4, 3 * in * 3, 3, 3, out, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 3);
        float[] x = signed(4 * 3 * in * 3 * 9, 30);
        assertClose("the storage as a grouped 1x1 convolution", referenceFused(pointwise, x, w, bias, null),
                cpuFused(pointwise, x, ws, bias, null), 1e-4);
        assertEquals(2, packs.made());
    }

    /**
     * The direct convolutions (3x3 over maps a vector wide, and a 7x7 stride-2 first layer, where the tile is 4 x 4;
     * the GEMM elsewhere) read constant weights interleaved once, on 1 and 2 threads and two batch sizes.
     */
    @Test
    void directConvolutionsInterleaveConstantWeightsOnce() {
        int l = VectorGemm.L;
        ConvGeometry[][] shapes = {
            {new ConvGeometry(2, 8, 8, l, 12, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1),
                new ConvGeometry(5, 8, 4, l, 12, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1)},
            {new ConvGeometry(2, 3, 8, 4 * l, 8, 7, 7, 2, 2, 3, 3, 3, 3, 1, 1, 1),
                new ConvGeometry(3, 3, 16, 4 * l, 8, 7, 7, 2, 2, 3, 3, 3, 3, 1, 1, 1)},
        };
        int before = CpuPool.threads();
        try {
            for (ConvGeometry[] pair : shapes) {
                ConvGeometry first = pair[0];
                int wn = first.outChannels() * first.inChannels() * first.kernelH() * first.kernelW();
                float[] w = signed(wn, 40 + wn);
                float[] bias = signed(first.outChannels(), 41);
                Storage ws = upload(w);
                CPU.markConstant(ws);
                int call = 0;
                for (int threads : new int[]{1, 2}) {
                    CpuPool.setThreads(threads);
                    for (ConvGeometry g : pair) {
                        float[] x = signed(g.batch() * g.inChannels() * g.inH() * g.inW(), 50 + call);
                        float[] residual = call % 2 == 0 ? null
                                : signed(g.batch() * g.outChannels() * g.outH() * g.outW(), 60 + call);
                        assertClose(g + " call " + call + " on " + threads + " thread(s)",
                                referenceFused(g, x, w, bias, residual), cpuFused(g, x, ws, bias, residual), 1e-4);
                        call++;
                    }
                }
                assertEquals(1, CPU.constantWeights().of(ws).made(), first + ": one form for every call");
                assertArrayEquals(w, read(ws), "the constant weights themselves are left as they are");
            }
        } finally {
            CpuPool.setThreads(before);
        }
    }

    @Test
    void storagesNotDeclaredConstantAreNotKeptAndMarkedOnesGoWithTheirWeights() {
        Storage plain = upload(signed(64, 4));
        assertNull(CPU.constantWeights().of(plain));
        ConstantWeights constant = new ConstantWeights();
        Storage marked = upload(signed(64, 5));
        constant.mark(marked);
        assertEquals(1, constant.size());
        marked = null;
        for (int attempt = 0; attempt < 50 && constant.size() > 0; attempt++) {
            System.gc();
        }
        assertEquals(0, constant.size(), "a constant storage nobody holds is dropped with its packs");
    }

    /** Conv (k = 16 * 9 = 144) + batch norm + ReLU, then conv (k = 24 * 9 = 216) + batch norm, on 8x8 maps. */
    private static Layer model() {
        return new Sequential(new Conv2d(16, 24, 3, 1, 1, false), new BatchNorm2d(24), Activation.relu(),
                new Conv2d(24, 32, 3, 1, 1, false), new BatchNorm2d(32));
    }

    private static Tensor infer(Layer model, Tensor x, boolean fused) {
        boolean before = FusedInference.setEnabled(fused);
        try (var g = GradMode.noGrad()) {
            return model.forward(x);
        } finally {
            FusedInference.setEnabled(before);
        }
    }

    @Test
    void weightsThatAnOptimiserChangesAreFoldedIntoNewConstantStorages() {
        Init.useBackend(CPU);
        Init.seed(11);
        Layer model = model();
        Tensor x = Tensor.randn(CPU, 12, 6, 16, 8, 8);
        model.eval();
        long folds = FusedInference.folds();
        long packed = CPU.constantWeights().packed();
        Tensor first = infer(model, x, true);
        assertEquals(folds + 2, FusedInference.folds(), "each convolution folded once");
        assertEquals(packed + 2, CPU.constantWeights().packed(), "each folded weight packed once");
        assertClose("fused eval", infer(model, x, false).toArray(), first.toArray(), 1e-4);
        assertClose("fused eval again, from the packs", first.toArray(), infer(model, x, true).toArray(), 0);
        assertEquals(packed + 2, CPU.constantWeights().packed(), "the packs are reused");

        model.train(true);
        Sgd sgd = new Sgd(List.of(new ParamGroup("all", model.parameters(), 0.5, 0)), 0, 0, false);
        model.forward(x).sum().backward();
        sgd.step();
        model.eval();
        Tensor after = infer(model, x, true);
        assertEquals(folds + 4, FusedInference.folds(), "the changed weights folded again");
        assertEquals(packed + 4, CPU.constantWeights().packed(), "and packed again");
        float[] unfused = infer(model, x, false).toArray();
        assertTrue(maxDifference(first.toArray(), unfused) > 1e-2, "the step changed the outputs");
        assertClose("fused eval after an optimiser step", unfused, after.toArray(), 1e-4);
    }

    private static double maxDifference(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }
}
