package dev.fineturn.cpu;

import dev.fineturn.spi.ConvEpilogue;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A fused convolution's epilogue over one output plane: {@code act(conv + bias[channel] + residual)},
 * applied while the plane is still in cache (as the convolution copies it out of its GEMM buffer, or
 * right after the GEMM or depthwise kernel wrote it). {@code residual} is indexed like y.
 */
record ConvEpilogueKernel(float[] bias, float[] residual, ConvEpilogue act) {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    /** dst[d + i] = act(src[s + i] + bias[channel] + residual[d + i]) for i below n; src may be dst. */
    void apply(float[] src, int s, float[] dst, int d, int n, int channel) {
        float b = bias == null ? 0f : bias[channel];
        float hi = act == ConvEpilogue.RELU6 ? 6f : Float.POSITIVE_INFINITY;
        float lo = act == ConvEpilogue.NONE ? Float.NEGATIVE_INFINITY : 0f;
        if (residual == null) {
            plane(src, s, dst, d, n, b, lo, hi);
        } else {
            planeWithResidual(src, s, residual, dst, d, n, b, lo, hi);
        }
    }

    private static void plane(float[] src, int s, float[] dst, int d, int n, float b, float lo, float hi) {
        FloatVector vb = FloatVector.broadcast(S, b);
        FloatVector vlo = FloatVector.broadcast(S, lo);
        FloatVector vhi = FloatVector.broadcast(S, hi);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += L) {
            FloatVector.fromArray(S, src, s + i).add(vb).max(vlo).min(vhi).intoArray(dst, d + i);
        }
        for (; i < n; i++) {
            dst[d + i] = Math.min(Math.max(src[s + i] + b, lo), hi);
        }
    }

    private static void planeWithResidual(float[] src, int s, float[] r, float[] dst, int d, int n, float b,
                                          float lo, float hi) {
        FloatVector vb = FloatVector.broadcast(S, b);
        FloatVector vlo = FloatVector.broadcast(S, lo);
        FloatVector vhi = FloatVector.broadcast(S, hi);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += L) {
            FloatVector.fromArray(S, src, s + i).add(vb).add(FloatVector.fromArray(S, r, d + i)).max(vlo).min(vhi)
                    .intoArray(dst, d + i);
        }
        for (; i < n; i++) {
            dst[d + i] = Math.min(Math.max(src[s + i] + b + r[d + i], lo), hi);
        }
    }
}
