package dev.fineturn.nn;

import dev.fineturn.tensor.Tensor;

/**
 * A convolution's weights and bias with the following batch norm folded in, for inference:
 * {@code w' = w * s} and {@code b' = (b - mean) * s + beta} per output channel, with
 * {@code s = gamma / sqrt(var + eps)}. Current while every source tensor is the same object at the
 * same {@link Tensor#version}: loading, an optimiser step or a running-statistics update makes it
 * stale, and the convolution folds again, into new tensors. The folded weights are never written, and the
 * backend is told so ({@link dev.fineturn.spi.Backend#markConstant}).
 */
record FoldedWeights(Tensor[] sources, long[] versions, Tensor weight, Tensor bias) {

    static FoldedWeights fold(Tensor w, Tensor b, BatchNorm2d bn) {
        Tensor[] sources = {w, b, bn == null ? null : bn.weight(), bn == null ? null : bn.bias(),
                bn == null ? null : bn.runningMean(), bn == null ? null : bn.runningVar()};
        int out = w.dim(0);
        int per = w.numel() / out;
        float[] wf = w.toArray();
        float[] bf = b == null ? new float[out] : b.toArray();
        if (bn != null) {
            if (bn.weight().numel() != out) {
                throw new IllegalArgumentException("batch norm over " + bn.weight().numel()
                        + " channels follows a convolution with " + out + " output channels " + java.util.Arrays
                        .toString(w.shape()));
            }
            float[] gamma = bn.weight().toArray();
            float[] beta = bn.bias().toArray();
            float[] mean = bn.runningMean().toArray();
            float[] var = bn.runningVar().toArray();
            for (int o = 0; o < out; o++) {
                double s = gamma[o] / Math.sqrt((double) var[o] + bn.eps());
                for (int i = o * per; i < (o + 1) * per; i++) {
                    wf[i] = (float) (wf[i] * s);
                }
                bf[o] = (float) ((bf[o] - (double) mean[o]) * s + beta[o]);
            }
        }
        Tensor folded = Tensor.of(w.backend(), wf, w.shape());
        folded.backend().markConstant(folded.storage());
        FusedInference.countFold();
        Tensor bias = b == null && bn == null ? null : Tensor.of(w.backend(), bf, out);
        return new FoldedWeights(sources, versionsOf(sources), folded, bias);
    }

    boolean isCurrent(Tensor w, Tensor b, BatchNorm2d bn) {
        return sources[0] == w && sources[1] == b
                && sources[2] == (bn == null ? null : bn.weight()) && sources[3] == (bn == null ? null : bn.bias())
                && sources[4] == (bn == null ? null : bn.runningMean())
                && sources[5] == (bn == null ? null : bn.runningVar())
                && java.util.Arrays.equals(versions, versionsOf(sources));
    }

    private static long[] versionsOf(Tensor[] sources) {
        long[] v = new long[sources.length];
        for (int i = 0; i < sources.length; i++) {
            v[i] = sources[i] == null ? -1 : sources[i].version();
        }
        return v;
    }
}
