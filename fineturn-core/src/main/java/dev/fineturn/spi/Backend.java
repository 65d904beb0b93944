package dev.fineturn.spi;

import dev.fineturn.backend.Fallback;

/**
 * A compute backend: memory, transfers and kernels. All kernels take dense (contiguous) storages
 * starting at offset 0 unless a parameter says otherwise. Outputs are overwritten, never
 * accumulated into. Lengths, offsets and counts are in float elements.
 *
 * <p><b>Threading.</b> The core calls a backend from one thread at a time (the thread that runs
 * the model; the data loader prepares batches on its own threads but uploads them on the
 * consumer's thread), so a backend may bind a device context to that thread. Calls take effect in
 * the order they are made: a kernel sees the writes and kernels issued before it, and
 * {@link #read} returns only once the values it copies are final. A backend may queue kernels
 * asynchronously as long as that order holds; {@link #synchronize} waits for the queue to drain.
 *
 * <p><b>Memory.</b> {@link #allocate} hands out a {@link Storage} whose {@link Storage#backend()}
 * is this backend; every storage a kernel receives was allocated by it. Nobody frees a storage
 * explicitly: a backend releases the memory after the storage has become unreachable (a
 * {@link java.lang.ref.Cleaner} does this for the device backends), and no earlier than the kernels
 * already queued on it have finished.
 *
 * <p><b>Kernels a backend lacks.</b> Every kernel has a default implementation that runs the
 * reference kernel on host copies and logs a warning once per backend and kernel, so a missing
 * kernel is slow, never wrong. A backend overrides the kernels it implements. The defaults
 * delegate to {@link Fallback} in {@code dev.fineturn.backend}: this package holds only the
 * contract and the value types it speaks in, never an implementation of its own.
 */
public interface Backend {
    /** The backend's short name, as its provider reports it ({@code "cpu"}, {@code "opencl"}); used in messages. */
    String name();

    /** Allocates zero-filled memory for {@code length} floats. */
    Storage allocate(long length);

    /** Copies {@code length} host floats from {@code src[srcOffset..]} into existing memory at {@code dstOffset}. */
    void write(float[] src, int srcOffset, Storage dst, long dstOffset, int length);

    /** Copies {@code length} floats of memory from {@code srcOffset} into {@code dst[dstOffset..]}. */
    void read(Storage src, long srcOffset, float[] dst, int dstOffset, int length);

    /** Waits for queued work to finish; host backends return at once. */
    default void synchronize() {
    }

    /** Allocates memory holding a copy of {@code src}. */
    default Storage upload(float[] src) {
        Storage s = allocate(src.length);
        write(src, 0, s, 0, src.length);
        return s;
    }

    /**
     * Declares that {@code s} will not be written again while it is reachable (a convolution's weights with a
     * batch norm folded in, say): the backend may keep a copy of it in whatever layout its kernels read fastest,
     * made once rather than on every call. Writing to {@code s} afterwards is an error the backend need not
     * detect. The default keeps nothing.
     */
    default void markConstant(Storage s) {
    }

    // ---- kernels -------------------------------------------------------------------------

    /** Sets {@code length} elements of {@code dst} from {@code offset} to {@code value}. */
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

    /**
     * {@code C = alpha * op(A) * op(B) + beta * C} for each matrix of the batch, as {@link GemmSpec}
     * describes; the operands start at the given offsets. With {@code beta == 0} C is only written,
     * so whatever it held (even NaN) does not leak into the result.
     */
    default void gemm(GemmSpec spec, float alpha, Storage a, long aOffset, Storage b, long bOffset,
                      float beta, Storage c, long cOffset) {
        Fallback.gemm(this, spec, alpha, a, aOffset, b, bOffset, beta, c, cOffset);
    }

    /** y = conv2d(x, w): x is NCHW, w is OIHW per group, y is {@code [batch, outChannels, outH, outW]}. */
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

    /** dx = the gradient of the convolution with respect to its input, given dy and the weights. */
    default void conv2dBackwardData(ConvGeometry g, Storage dy, Storage w, Storage dx) {
        Fallback.conv2dBackwardData(this, g, dy, w, dx);
    }

    /** dw = the gradient of the convolution with respect to its weights, given x and dy. */
    default void conv2dBackwardWeights(ConvGeometry g, Storage x, Storage dy, Storage dw) {
        Fallback.conv2dBackwardWeights(this, g, x, dy, dw);
    }

    /** Max pooling over NCHW data; padding never wins a window. */
    default void maxPool2dForward(PoolGeometry g, Storage x, Storage y) {
        Fallback.maxPool2dForward(this, g, x, y);
    }

    /** dx = dy routed to the first maximum of each window (recomputed from x). */
    default void maxPool2dBackward(PoolGeometry g, Storage x, Storage dy, Storage dx) {
        Fallback.maxPool2dBackward(this, g, x, dy, dx);
    }

    /** Average pooling over NCHW data, with the divisor {@link PoolGeometry} specifies. */
    default void avgPool2dForward(PoolGeometry g, Storage x, Storage y) {
        Fallback.avgPool2dForward(this, g, x, y);
    }

    /** dx = dy spread evenly over each window, with the forward's divisor. */
    default void avgPool2dBackward(PoolGeometry g, Storage dy, Storage dx) {
        Fallback.avgPool2dBackward(this, g, dy, dx);
    }

    /** Softmax (or log-softmax) over the last axis of a dense rows x cols matrix. */
    default void softmax(int rows, int cols, boolean log, Storage x, Storage y) {
        Fallback.softmax(this, rows, cols, log, x, y);
    }

    /** dx from the forward's output y and dy, for softmax or (with {@code log}) log-softmax. */
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

    /** y = gamma * (x - mean) / sqrt(var + eps) + beta per channel of NCHW data seen as [n, c, hw]. */
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

    /**
     * One SGD step on n parameters in place, as {@link SgdParams} describes (weight decay,
     * momentum, Nesterov). {@code momentumBuffer} is updated in place; it may be null when momentum is 0.
     */
    default void sgdStep(SgdParams p, Storage param, Storage grad, Storage momentumBuffer, long n) {
        Fallback.sgdStep(this, p, param, grad, momentumBuffer, n);
    }

    /** One AdamW step on n parameters in place; the moment estimates m and v are updated too. */
    default void adamwStep(AdamWParams p, Storage param, Storage grad, Storage m, Storage v, long n) {
        Fallback.adamwStep(this, p, param, grad, m, v, n);
    }
}
