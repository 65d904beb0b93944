package dev.fineturn.conformance;

import dev.fineturn.reference.ReferenceBackend;
import dev.fineturn.spi.AdamWParams;
import dev.fineturn.spi.Backend;
import dev.fineturn.spi.GemmSpec;
import dev.fineturn.spi.SgdParams;
import dev.fineturn.spi.Storage;
import dev.fineturn.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The conformance kit every backend runs against itself: each op's forward result against the
 * reference backend, its analytic gradients against the reference's, and a finite-difference
 * check (accumulated in double) of the backend's own gradients. A backend module subclasses this
 * and returns its backend.
 */
public abstract class BackendConformanceKit {
    private static final double FORWARD_RTOL = 2e-4;
    private static final double GRAD_RTOL = 3e-2;
    private static final double GRAD_ATOL = 3e-3;
    private static final int FD_SAMPLES = 16;

    /** The backend under test. */
    protected abstract Backend backend();

    static List<OpCase> cases() {
        return OpCases.all();
    }

    // ---- op level ----------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void forwardMatchesReference(OpCase c) {
        float[][] values = draw(c);
        float[] expected = c.fn().apply(inputs(ReferenceBackend.get(), c, values, false)).toArray();
        Tensor out = c.fn().apply(inputs(backend(), c, values, false));
        assertEquals(backend(), out.backend(), "result must stay on the backend under test");
        assertClose(c + " forward", expected, out.toArray(), FORWARD_RTOL);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gradientsMatchReferenceAndFiniteDifferences(OpCase c) {
        float[][] values = draw(c);
        Tensor[] refIn = inputs(ReferenceBackend.get(), c, values, true);
        Tensor refOut = c.fn().apply(refIn);
        float[] r = projection(refOut.numel());
        weightedSum(refOut, r).backward();
        Tensor[] in = inputs(backend(), c, values, true);
        Tensor out = c.fn().apply(in);
        weightedSum(out, r).backward();
        for (int i = 0; i < in.length; i++) {
            float[] expected = refIn[i].grad().toArray();
            float[] actual = in[i].grad().toArray();
            assertClose(c + " grad of input " + i + " vs reference", expected, actual, 1e-3);
            checkFiniteDifferences(c, values, i, actual, r);
        }
    }

    private void checkFiniteDifferences(OpCase c, float[][] values, int input, float[] analytic, float[] r) {
        SplittableRandom pick = new SplittableRandom(7 + input);
        int n = values[input].length;
        int samples = Math.min(n, FD_SAMPLES);
        for (int s = 0; s < samples; s++) {
            int k = n <= FD_SAMPLES ? s : pick.nextInt(n);
            float original = values[input][k];
            float eps = 1e-2f * Math.max(1f, Math.abs(original));
            values[input][k] = original + eps;
            double plus = loss(c, values, r);
            values[input][k] = original - eps;
            double minus = loss(c, values, r);
            values[input][k] = original;
            double fd = (plus - minus) / (2.0 * eps);
            double an = analytic[k];
            double tol = GRAD_ATOL + GRAD_RTOL * Math.max(Math.abs(fd), Math.abs(an));
            if (Math.abs(fd - an) > tol) {
                fail(c + ": d/d input" + input + "[" + k + "] analytic " + an + " vs finite difference " + fd);
            }
        }
    }

    private double loss(OpCase c, float[][] values, float[] r) {
        float[] out = c.fn().apply(inputs(backend(), c, values, false)).toArray();
        double sum = 0;
        for (int i = 0; i < out.length; i++) {
            sum += (double) out[i] * r[i];
        }
        return sum;
    }

    /** sum(out * R) for fixed random R, so every output element's gradient matters. */
    private static Tensor weightedSum(Tensor out, float[] r) {
        return out.mul(Tensor.of(out.backend(), r, out.shape())).sum();
    }

    private static float[] projection(int n) {
        SplittableRandom random = new SplittableRandom(1234);
        float[] r = new float[n];
        for (int i = 0; i < n; i++) {
            r[i] = (float) (random.nextDouble() * 2 - 1);
        }
        return r;
    }

    private static float[][] draw(OpCase c) {
        SplittableRandom random = new SplittableRandom(c.toString().hashCode());
        float[][] v = new float[c.shapes().length][];
        for (int i = 0; i < v.length; i++) {
            int n = 1;
            for (int d : c.shapes()[i]) {
                n *= d;
            }
            v[i] = c.inputs().draw(random, n, i);
        }
        return v;
    }

    private static Tensor[] inputs(Backend b, OpCase c, float[][] values, boolean grad) {
        Tensor[] t = new Tensor[values.length];
        for (int i = 0; i < t.length; i++) {
            t[i] = Tensor.of(b, values[i].clone(), c.shapes()[i]).requiresGrad(grad);
        }
        return t;
    }

    static void assertClose(String what, float[] expected, float[] actual, double rtol) {
        assertEquals(expected.length, actual.length, what + ": length");
        double scale = 1e-6;
        for (float e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        for (int i = 0; i < expected.length; i++) {
            double tol = rtol * Math.max(Math.abs(expected[i]), scale * 0.1) + 1e-6;
            if (!(Math.abs(expected[i] - actual[i]) <= tol)) {
                fail(what + ": element " + i + " expected " + expected[i] + " but was " + actual[i]
                        + " (tolerance " + tol + ")");
            }
        }
    }

    // ---- kernel level ------------------------------------------------------------------------

    /**
     * Fused convolutions of the kit: plain, over 72 channels (k = 648, deeper than one block of most GEMMs), strided
     * and padded, grouped, depthwise and pointwise.
     */
    private static final int[][] FUSED_GEOMETRIES = {
        // batch, in, out, h, w, k, stride, pad, groups
        {2, 3, 5, 7, 6, 3, 1, 1, 1},
        {3, 72, 7, 5, 5, 3, 1, 1, 1},
        {1, 4, 6, 9, 9, 3, 2, 1, 2},
        {3, 6, 6, 8, 5, 3, 1, 1, 6},
        {2, 8, 8, 7, 7, 3, 2, 1, 8},
        {1, 5, 7, 4, 4, 1, 1, 0, 1},
    };

    /**
     * The inference convolution with its epilogue ({@code Backend.conv2dForwardFused}) against the
     * reference backend's: plain, strided and padded, grouped and depthwise; with and without a
     * per-channel shift and a residual; no activation, ReLU and ReLU6.
     */
    @Test
    void fusedConvolutionMatchesReference() {
        SplittableRandom random = new SplittableRandom(31);
        for (int[] g : FUSED_GEOMETRIES) {
            dev.fineturn.ops.Conv2dOptions o = dev.fineturn.ops.Conv2dOptions.of(g[6], g[7]).withGroups(g[8]);
            float[] x = values(random, g[0] * g[1] * g[3] * g[4]);
            float[] w = values(random, g[2] * (g[1] / g[8]) * g[5] * g[5]);
            float[] bias = values(random, g[2]);
            int[] outShape = dev.fineturn.ops.Convolution.outputShape(
                    Tensor.of(ReferenceBackend.get(), x, g[0], g[1], g[3], g[4]),
                    Tensor.of(ReferenceBackend.get(), w, g[2], g[1] / g[8], g[5], g[5]), o);
            float[] residual = values(random, outShape[0] * outShape[1] * outShape[2] * outShape[3]);
            for (dev.fineturn.spi.ConvEpilogue act : dev.fineturn.spi.ConvEpilogue.values()) {
                for (int variant = 0; variant < 4; variant++) {
                    boolean withBias = (variant & 1) != 0;
                    boolean withResidual = (variant & 2) != 0;
                    float[] expected = fused(ReferenceBackend.get(), g, o, x, w, withBias ? bias : null,
                            withResidual ? residual : null, act, outShape);
                    float[] actual = fused(backend(), g, o, x, w, withBias ? bias : null,
                            withResidual ? residual : null, act, outShape);
                    assertClose("fused conv " + java.util.Arrays.toString(g) + " " + act + (withBias ? " +bias" : "")
                            + (withResidual ? " +residual" : ""), expected, actual, FORWARD_RTOL);
                }
            }
        }
    }

    /**
     * Weights declared constant ({@code Backend.markConstant}), which a backend may keep in a layout of its own:
     * the fused convolution over them against the reference's, on three inputs in a row, one of another batch.
     */
    @Test
    void fusedConvolutionOverConstantWeightsMatchesReference() {
        SplittableRandom random = new SplittableRandom(37);
        for (int[] g : FUSED_GEOMETRIES) {
            dev.fineturn.ops.Conv2dOptions o = dev.fineturn.ops.Conv2dOptions.of(g[6], g[7]).withGroups(g[8]);
            float[] w = values(random, g[2] * (g[1] / g[8]) * g[5] * g[5]);
            float[] bias = values(random, g[2]);
            Tensor constant = Tensor.of(backend(), w.clone(), g[2], g[1] / g[8], g[5], g[5]);
            backend().markConstant(constant.storage());
            Tensor biasOnBackend = Tensor.of(backend(), bias.clone(), g[2]);
            for (int call = 0; call < 3; call++) {
                int batch = call == 2 ? g[0] + 2 : g[0];
                float[] x = values(random, batch * g[1] * g[3] * g[4]);
                Tensor expected = dev.fineturn.ops.Convolution.conv2dFused(
                        Tensor.of(ReferenceBackend.get(), x.clone(), batch, g[1], g[3], g[4]),
                        Tensor.of(ReferenceBackend.get(), w.clone(), g[2], g[1] / g[8], g[5], g[5]),
                        Tensor.of(ReferenceBackend.get(), bias.clone(), g[2]), null,
                        dev.fineturn.spi.ConvEpilogue.RELU, o, null);
                Tensor actual = dev.fineturn.ops.Convolution.conv2dFused(
                        Tensor.of(backend(), x.clone(), batch, g[1], g[3], g[4]), constant, biasOnBackend, null,
                        dev.fineturn.spi.ConvEpilogue.RELU, o, null);
                assertClose("fused conv over constant weights " + java.util.Arrays.toString(g) + " call " + call,
                        expected.toArray(), actual.toArray(), FORWARD_RTOL);
            }
            assertArrayEquals(w, constant.toArray(), "constant weights must read back unchanged");
        }
    }

    private static float[] fused(Backend b, int[] g, dev.fineturn.ops.Conv2dOptions o, float[] x, float[] w,
                                 float[] bias, float[] residual, dev.fineturn.spi.ConvEpilogue act, int[] outShape) {
        Tensor y = dev.fineturn.ops.Convolution.conv2dFused(Tensor.of(b, x.clone(), g[0], g[1], g[3], g[4]),
                Tensor.of(b, w.clone(), g[2], g[1] / g[8], g[5], g[5]),
                bias == null ? null : Tensor.of(b, bias.clone(), g[2]),
                residual == null ? null : Tensor.of(b, residual.clone(), outShape), act, o, null);
        assertEquals(b, y.backend(), "result must stay on the backend under test");
        return y.toArray();
    }

    private static float[] values(SplittableRandom random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (random.nextDouble() * 2 - 1);
        }
        return v;
    }

    @Test
    void transfersRoundTrip() {
        float[] v = {1f, -2f, 3.5f, 0f, 7f, 1e-8f, -0f};
        Storage s = backend().allocate(v.length + 3);
        backend().write(v, 0, s, 2, v.length);
        float[] back = new float[v.length];
        backend().read(s, 2, back, 0, v.length);
        assertArrayEquals(v, back);
        float[] zeros = new float[2];
        backend().read(s, 0, zeros, 0, 2);
        assertArrayEquals(new float[2], zeros, "allocate must zero-fill");
    }

    @Test
    void moveBetweenBackendsKeepsValues() {
        Tensor a = Tensor.randn(ReferenceBackend.get(), 5, 3, 4);
        Tensor b = a.to(backend());
        assertEquals(backend(), b.backend());
        assertArrayEquals(a.toArray(), b.toArray());
        assertArrayEquals(a.toArray(), b.to(ReferenceBackend.get()).toArray());
    }

    @Test
    void gemmAllTransposeVariantsWithAlphaBetaAndBatchStrides() {
        int m = 13;
        int n = 9;
        int k = 11;
        int batch = 3;
        for (boolean ta : new boolean[]{false, true}) {
            for (boolean tb : new boolean[]{false, true}) {
                for (long strideB : new long[]{0, (long) k * n}) {
                    GemmSpec spec = new GemmSpec(batch, m, n, k, ta, tb, (long) m * k, strideB, (long) m * n);
                    float[] a = random(batch * m * k + 5, 1);
                    float[] b = random(batch * k * n + 5, 2);
                    float[] c = random(batch * m * n + 5, 3);
                    float[] expected = c.clone();
                    dev.fineturn.reference.GemmKernels.gemm(spec, 0.75f, a, 5, b, 5, -0.5f, expected, 5);
                    Storage sa = backend().upload(a);
                    Storage sb = backend().upload(b);
                    Storage sc = backend().upload(c);
                    backend().gemm(spec, 0.75f, sa, 5, sb, 5, -0.5f, sc, 5);
                    float[] actual = new float[c.length];
                    backend().read(sc, 0, actual, 0, c.length);
                    assertClose("gemm transA=" + ta + " transB=" + tb + " strideB=" + strideB, expected, actual, 1e-4);
                }
            }
        }
    }

    @Test
    void optimizerStepsMatchReference() {
        int n = 37;
        float[] p = random(n, 4);
        float[] g = random(n, 5);
        float[] buf = random(n, 6);
        for (SgdParams sp : new SgdParams[]{
                new SgdParams(0.1f, 0f, 0f, 0f, false, false),
                new SgdParams(0.05f, 0.9f, 0.1f, 1e-2f, false, false),
                new SgdParams(0.05f, 0.9f, 0f, 1e-2f, true, false),
                new SgdParams(0.05f, 0.9f, 0f, 0f, false, true)}) {
            float[] ep = p.clone();
            float[] eb = buf.clone();
            dev.fineturn.reference.OptimizerKernels.sgd(sp, ep, g.clone(), eb, n);
            Storage sp1 = backend().upload(p);
            Storage sb = backend().upload(buf);
            backend().sgdStep(sp, sp1, backend().upload(g), sb, n);
            assertClose("sgd " + sp, ep, read(sp1, n), 1e-5);
            if (sp.momentum() != 0f) {
                assertClose("sgd momentum " + sp, eb, read(sb, n), 1e-5);
            }
        }
        AdamWParams ap = AdamWParams.atStep(1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, 3);
        float[] m = random(n, 7);
        float[] v = random(n, 8);
        for (int i = 0; i < n; i++) {
            v[i] = Math.abs(v[i]);
        }
        float[] ep = p.clone();
        float[] em = m.clone();
        float[] ev = v.clone();
        dev.fineturn.reference.OptimizerKernels.adamw(ap, ep, g.clone(), em, ev, n);
        Storage spp = backend().upload(p);
        Storage sm = backend().upload(m);
        Storage sv = backend().upload(v);
        backend().adamwStep(ap, spp, backend().upload(g), sm, sv, n);
        assertClose("adamw param", ep, read(spp, n), 1e-5);
        assertClose("adamw m", em, read(sm, n), 1e-5);
        assertClose("adamw v", ev, read(sv, n), 1e-5);
    }

    @Test
    void dropoutMaskIsIdenticalToReference() {
        int n = 1000;
        Storage mask = backend().allocate(n);
        backend().dropoutMask(123456789L, 0.25f, mask, n);
        float[] expected = new float[n];
        dev.fineturn.reference.ElementwiseKernels.dropoutMask(123456789L, 0.25f, expected, n);
        assertArrayEquals(expected, read(mask, n));
        int dropped = 0;
        for (float f : expected) {
            dropped += f == 0f ? 1 : 0;
        }
        assertTrue(dropped > 200 && dropped < 300, "about a quarter dropped, got " + dropped);
    }

    private float[] read(Storage s, int n) {
        float[] out = new float[n];
        backend().read(s, 0, out, 0, n);
        return out;
    }

    private static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return v;
    }
}
