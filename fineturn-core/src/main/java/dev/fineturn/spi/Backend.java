package dev.fineturn.spi;

/**
 * A compute backend: memory, transfers and kernels. All kernels take dense (contiguous) storages
 * starting at offset 0 unless a parameter says otherwise. Outputs are overwritten, never
 * accumulated into.
 *
 * <p>Every kernel has a default implementation that runs the reference kernel on host copies and
 * logs a warning once per backend and kernel. A backend overrides the kernels it implements; a
 * missing kernel is therefore slow, never wrong.
 */
public interface Backend {
    String name();

    /** Allocates zero-filled memory. */
    Storage allocate(long length);

    /** Copies host floats into existing device memory. */
    void write(float[] src, int srcOffset, Storage dst, long dstOffset, int length);

    /** Copies device memory into a host array. */
    void read(Storage src, long srcOffset, float[] dst, int dstOffset, int length);

    /** Waits for queued work to finish; host backends return at once. */
    default void synchronize() {
    }

    default Storage upload(float[] src) {
        Storage s = allocate(src.length);
        write(src, 0, s, 0, src.length);
        return s;
    }

    // ---- kernels -------------------------------------------------------------------------

    default void fill(Storage dst, long offset, long length, float value) {
        Fallback.fill(this, dst, offset, length, value);
    }

    /** Copies a strided view into another strided view of the same shape. */
    default void copyStrided(int[] shape, Storage src, long srcOffset, int[] srcStrides,
                             Storage dst, long dstOffset, int[] dstStrides) {
        Fallback.copyStrided(this, shape, src, srcOffset, srcStrides, dst, dstOffset, dstStrides);
    }

    /** y = f(x) over the first n elements; y may be the same storage as x (an in-place activation). */
    default void unary(UnaryOp op, float alpha, float beta, Storage x, Storage y, long n) {
        Fallback.unary(this, op, alpha, beta, x, y, n);
    }

    /** dx = dy * f'(x); {@code y = f(x)} is given for ops whose derivative is cheaper from it. */
    default void unaryBackward(UnaryOp op, float alpha, float beta, Storage x, Storage y, Storage dy,
                               Storage dx, long n) {
        Fallback.unaryBackward(this, op, alpha, beta, x, y, dy, dx, n);
    }

    /**
     * out = a op b over {@code shape}; a and b are read through strides that may be 0 to broadcast.
     * out is dense. out may be the same storage as a or b when those are dense and not broadcast.
     */
    default void binary(BinaryOp op, int[] shape, Storage a, long aOffset, int[] aStrides,
                        Storage b, long bOffset, int[] bStrides, Storage out) {
        Fallback.binary(this, op, shape, a, aOffset, aStrides, b, bOffset, bStrides, out);
    }

    /** Sums a dense tensor over the axes where {@code outShape} has 1 and {@code inShape} does not. */
    default void sumReduce(int[] inShape, Storage in, int[] outShape, Storage out) {
        Fallback.sumReduce(this, inShape, in, outShape, out);
    }

    default void gemm(GemmSpec spec, float alpha, Storage a, long aOffset, Storage b, long bOffset,
                      float beta, Storage c, long cOffset) {
        Fallback.gemm(this, spec, alpha, a, aOffset, b, bOffset, beta, c, cOffset);
    }

    default void conv2dForward(ConvGeometry g, Storage x, Storage w, Storage y) {
        Fallback.conv2dForward(this, g, x, w, y);
    }

    /**
     * y = act(conv(x, w) + bias[channel] + residual): an inference convolution with its epilogue
     * (a folded batch norm's shift, the residual add of a block, its activation). {@code bias} and
     * {@code residual} (y's shape) may be null. y must not be x or residual. The default composes
     * {@link #conv2dForward}, {@link #binary} and {@link #unary}, in that order of operations.
     */
    default void conv2dForwardFused(ConvGeometry g, Storage x, Storage w, Storage bias, Storage residual,
                                    ConvEpilogue act, Storage y) {
        conv2dForward(g, x, w, y);
        int[] shape = {g.batch(), g.outChannels(), g.outH(), g.outW()};
        int[] dense = {g.outChannels() * g.outH() * g.outW(), g.outH() * g.outW(), g.outW(), 1};
        if (bias != null) {
            binary(BinaryOp.ADD, shape, y, 0, dense, bias, 0, new int[]{0, 1, 0, 0}, y);
        }
        if (residual != null) {
            binary(BinaryOp.ADD, shape, y, 0, dense, residual, 0, dense, y);
        }
        long n = (long) g.batch() * g.outChannels() * g.outH() * g.outW();
        switch (act) {
            case RELU -> unary(UnaryOp.RELU, 0f, 0f, y, y, n);
            case RELU6 -> unary(UnaryOp.CLIPPED_RELU, 6f, 0f, y, y, n);
            case NONE -> {
            }
        }
    }

    default void conv2dBackwardData(ConvGeometry g, Storage dy, Storage w, Storage dx) {
        Fallback.conv2dBackwardData(this, g, dy, w, dx);
    }

    default void conv2dBackwardWeights(ConvGeometry g, Storage x, Storage dy, Storage dw) {
        Fallback.conv2dBackwardWeights(this, g, x, dy, dw);
    }

    default void maxPool2dForward(PoolGeometry g, Storage x, Storage y) {
        Fallback.maxPool2dForward(this, g, x, y);
    }

    default void maxPool2dBackward(PoolGeometry g, Storage x, Storage dy, Storage dx) {
        Fallback.maxPool2dBackward(this, g, x, dy, dx);
    }

    default void avgPool2dForward(PoolGeometry g, Storage x, Storage y) {
        Fallback.avgPool2dForward(this, g, x, y);
    }

    default void avgPool2dBackward(PoolGeometry g, Storage dy, Storage dx) {
        Fallback.avgPool2dBackward(this, g, dy, dx);
    }

    /** Softmax (or log-softmax) over the last axis of a dense rows x cols matrix. */
    default void softmax(int rows, int cols, boolean log, Storage x, Storage y) {
        Fallback.softmax(this, rows, cols, log, x, y);
    }

    default void softmaxBackward(int rows, int cols, boolean log, Storage y, Storage dy, Storage dx) {
        Fallback.softmaxBackward(this, rows, cols, log, y, dy, dx);
    }

    /**
     * Cross-entropy fused with log-softmax, per row. Labels are class indices stored as floats.
     * Writes the softmax probabilities (kept for backward) and each row's loss.
     */
    default void crossEntropyForward(int rows, int cols, float labelSmoothing, Storage logits, Storage labels,
                                     Storage probs, Storage rowLoss) {
        Fallback.crossEntropyForward(this, rows, cols, labelSmoothing, logits, labels, probs, rowLoss);
    }

    /** dLogits[r] = dRowLoss[r] * (probs[r] - target[r]). */
    default void crossEntropyBackward(int rows, int cols, float labelSmoothing, Storage probs, Storage labels,
                                      Storage dRowLoss, Storage dLogits) {
        Fallback.crossEntropyBackward(this, rows, cols, labelSmoothing, probs, labels, dRowLoss, dLogits);
    }

    /** Per-channel mean and biased variance of NCHW data seen as [n, c, hw]. */
    default void batchNormStatistics(int n, int c, int hw, Storage x, Storage mean, Storage var) {
        Fallback.batchNormStatistics(this, n, c, hw, x, mean, var);
    }

    default void batchNormForward(int n, int c, int hw, float eps, Storage x, Storage mean, Storage var,
                                  Storage gamma, Storage beta, Storage y) {
        Fallback.batchNormForward(this, n, c, hw, eps, x, mean, var, gamma, beta, y);
    }

    /**
     * Gradients of batch norm. With {@code batchStatistics} the mean and variance are functions of
     * x (training); otherwise they are constants (running statistics).
     */
    default void batchNormBackward(int n, int c, int hw, float eps, boolean batchStatistics, Storage x,
                                   Storage dy, Storage mean, Storage var, Storage gamma,
                                   Storage dx, Storage dgamma, Storage dbeta) {
        Fallback.batchNormBackward(this, n, c, hw, eps, batchStatistics, x, dy, mean, var, gamma, dx, dgamma, dbeta);
    }

    /**
     * Inverted-dropout mask: 0 with probability p, else 1/(1-p). Element i draws
     * {@link DropoutHash#uniform(long, long)} so that every backend produces the same mask.
     */
    default void dropoutMask(long seed, float p, Storage mask, long n) {
        Fallback.dropoutMask(this, seed, p, mask, n);
    }

    default void sgdStep(SgdParams p, Storage param, Storage grad, Storage momentumBuffer, long n) {
        Fallback.sgdStep(this, p, param, grad, momentumBuffer, n);
    }

    default void adamwStep(AdamWParams p, Storage param, Storage grad, Storage m, Storage v, long n) {
        Fallback.adamwStep(this, p, param, grad, m, v, n);
    }
}
