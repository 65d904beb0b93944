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
    /** Four floats: for planes narrower than a vector that fours divide (2x2 maps). */
    private static final VectorSpecies<Float> SMALL = FloatVector.SPECIES_128;

    /** The activation's lower clamp for {@code e}: 0 for ReLU and ReLU6, none without an activation or epilogue. */
    static float lower(ConvEpilogueKernel e) {
        return e == null || e.act == ConvEpilogue.NONE ? Float.NEGATIVE_INFINITY : 0f;
    }

    /** The activation's upper clamp for {@code e}: 6 for ReLU6, none otherwise. */
    static float upper(ConvEpilogueKernel e) {
        return e != null && e.act == ConvEpilogue.RELU6 ? 6f : Float.POSITIVE_INFINITY;
    }

    /** dst[d + i] = act(src[s + i] + bias[channel] + residual[d + i]) for i below n; src may be dst. */
    void apply(float[] src, int s, float[] dst, int d, int n, int channel) {
        float b = bias == null ? 0f : bias[channel];
        float lo = lower(this);
        float hi = upper(this);
        if (residual == null) {
            plane(src, s, dst, d, n, b, lo, hi);
        } else {
            planeWithResidual(src, s, residual, dst, d, n, b, lo, hi);
        }
    }

    /**
     * The planes of a chunk of {@code images} images and {@code channels} channels from a GEMM's product, where
     * channel c's row starts at {@code s + c * width} and holds the images' planes of {@code n} floats one after
     * another, into dst plane (image i, channel c) at {@code d + i * imageStride + c * n}; the channels are
     * {@code channel0} on. One call per chunk: on 4x4 and 2x2 maps a call per plane cost more than its 16 or 4
     * floats, and a 2x2 plane had no whole vector at all.
     */
    void applyChunk(float[] src, int s, int width, int images, int channels, int n, float[] dst, int d,
                    int imageStride, int channel0) {
        float lo = lower(this);
        float hi = upper(this);
        if (n % SMALL.length() != 0 || n >= L) {
            for (int c = 0; c < channels; c++) {
                for (int i = 0; i < images; i++) {
                    apply(src, s + c * width + i * n, dst, d + i * imageStride + c * n, n, channel0 + c);
                }
            }
            return;
        }
        FloatVector vlo = FloatVector.broadcast(SMALL, lo);
        FloatVector vhi = FloatVector.broadcast(SMALL, hi);
        int ls = SMALL.length();
        for (int c = 0; c < channels; c++) {
            FloatVector vb = FloatVector.broadcast(SMALL, bias == null ? 0f : bias[channel0 + c]);
            for (int i = 0; i < images; i++) {
                int from = s + c * width + i * n;
                int to = d + i * imageStride + c * n;
                for (int j = 0; j < n; j += ls) {
                    FloatVector v = FloatVector.fromArray(SMALL, src, from + j).add(vb);
                    if (residual != null) {
                        v = v.add(FloatVector.fromArray(SMALL, residual, to + j));
                    }
                    v.max(vlo).min(vhi).intoArray(dst, to + j);
                }
            }
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
