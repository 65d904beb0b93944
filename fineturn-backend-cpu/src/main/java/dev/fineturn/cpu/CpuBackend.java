package dev.fineturn.cpu;

import dev.fineturn.spi.AdamWParams;
import dev.fineturn.spi.Backend;
import dev.fineturn.spi.BinaryOp;
import dev.fineturn.spi.ConvEpilogue;
import dev.fineturn.spi.ConvGeometry;
import dev.fineturn.spi.GemmSpec;
import dev.fineturn.spi.HostStorage;
import dev.fineturn.spi.PoolGeometry;
import dev.fineturn.spi.SgdParams;
import dev.fineturn.spi.Storage;
import dev.fineturn.spi.UnaryOp;

/**
 * The Vector API backend: host memory, packed multi-threaded GEMM, im2col/direct convolution and
 * vectorised kernels for everything else a training step runs. It overrides every kernel of the
 * SPI, so nothing falls back to the reference backend.
 */
public final class CpuBackend implements Backend {
    public static final String NAME = "cpu";
    private static final CpuBackend INSTANCE = new CpuBackend();
    private final ConstantWeights constant = new ConstantWeights();

    private CpuBackend() {
    }

    public static CpuBackend get() {
        return INSTANCE;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Storage allocate(long length) {
        return HostStorage.allocate(this, length);
    }

    private float[] h(Storage s) {
        if (s instanceof HostStorage hs && hs.backend() == this) {
            return hs.data();
        }
        throw new IllegalArgumentException("cpu backend was given storage of backend '" + s.backend().name()
                + "'; move the tensor with to(backend) first");
    }

    @Override
    public void markConstant(Storage s) {
        h(s);
        constant.mark(s);
    }

    /** The storages declared constant, and their packed weights. */
    ConstantWeights constantWeights() {
        return constant;
    }

    @Override
    public void write(float[] src, int srcOffset, Storage dst, long dstOffset, int length) {
        System.arraycopy(src, srcOffset, h(dst), (int) dstOffset, length);
    }

    @Override
    public void read(Storage src, long srcOffset, float[] dst, int dstOffset, int length) {
        System.arraycopy(h(src), (int) srcOffset, dst, dstOffset, length);
    }

    @Override
    public void fill(Storage dst, long offset, long length, float value) {
        java.util.Arrays.fill(h(dst), (int) offset, (int) (offset + length), value);
    }

    @Override
    public void copyStrided(int[] shape, Storage src, long srcOffset, int[] srcStrides, Storage dst, long dstOffset,
                            int[] dstStrides) {
        StridedCopy.copy(shape, h(src), (int) srcOffset, srcStrides, h(dst), (int) dstOffset, dstStrides);
    }

    @Override
    public void unary(UnaryOp op, float alpha, float beta, Storage x, Storage y, long n) {
        VectorElementwise.unary(op, alpha, beta, h(x), h(y), (int) n);
    }

    @Override
    public void binary(BinaryOp op, int[] shape, Storage a, long aOffset, int[] aStrides, Storage b, long bOffset,
                       int[] bStrides, Storage out) {
        VectorBinary.binary(op, shape, h(a), (int) aOffset, aStrides, h(b), (int) bOffset, bStrides, h(out));
    }

    @Override
    public void unaryBackward(UnaryOp op, float alpha, float beta, Storage x, Storage y, Storage dy, Storage dx,
                              long n) {
        VectorUnaryBackward.unaryBackward(op, alpha, beta, h(x), h(y), h(dy), h(dx), (int) n);
    }

    @Override
    public void sumReduce(int[] inShape, Storage in, int[] outShape, Storage out) {
        VectorReduce.sumReduce(inShape, h(in), outShape, h(out));
    }

    @Override
    public void gemm(GemmSpec spec, float alpha, Storage a, long aOffset, Storage b, long bOffset, float beta,
                     Storage c, long cOffset) {
        VectorGemm.gemm(spec, alpha, h(a), (int) aOffset, h(b), (int) bOffset, beta, h(c), (int) cOffset);
    }

    @Override
    public void conv2dForward(ConvGeometry g, Storage x, Storage w, Storage y) {
        VectorConv.forward(g, h(x), h(w), h(y));
    }

    @Override
    public void conv2dForwardFused(ConvGeometry g, Storage x, Storage w, Storage bias, Storage residual,
                                   ConvEpilogue act, Storage y) {
        VectorConv.forward(g, h(x), h(w), h(y),
                new ConvEpilogueKernel(bias == null ? null : h(bias), residual == null ? null : h(residual), act),
                constant.of(w));
    }

    @Override
    public void conv2dBackwardData(ConvGeometry g, Storage dy, Storage w, Storage dx) {
        VectorConv.backwardData(g, h(dy), h(w), h(dx));
    }

    @Override
    public void conv2dBackwardWeights(ConvGeometry g, Storage x, Storage dy, Storage dw) {
        VectorConv.backwardWeights(g, h(x), h(dy), h(dw));
    }

    @Override
    public void maxPool2dForward(PoolGeometry g, Storage x, Storage y) {
        VectorMaxPool.forward(g, h(x), h(y));
    }

    @Override
    public void maxPool2dBackward(PoolGeometry g, Storage x, Storage dy, Storage dx) {
        VectorMaxPool.backward(g, h(x), h(dy), h(dx));
    }

    @Override
    public void avgPool2dForward(PoolGeometry g, Storage x, Storage y) {
        VectorAvgPool.forward(g, h(x), h(y));
    }

    @Override
    public void avgPool2dBackward(PoolGeometry g, Storage dy, Storage dx) {
        VectorAvgPool.backward(g, h(dy), h(dx));
    }

    @Override
    public void softmax(int rows, int cols, boolean log, Storage x, Storage y) {
        VectorSoftmax.softmax(rows, cols, log, h(x), h(y));
    }

    @Override
    public void softmaxBackward(int rows, int cols, boolean log, Storage y, Storage dy, Storage dx) {
        VectorSoftmax.softmaxBackward(rows, cols, log, h(y), h(dy), h(dx));
    }

    @Override
    public void crossEntropyForward(int rows, int cols, float labelSmoothing, Storage logits, Storage labels,
                                    Storage probs, Storage rowLoss) {
        VectorCrossEntropy.forward(rows, cols, labelSmoothing, h(logits), h(labels), h(probs), h(rowLoss));
    }

    @Override
    public void crossEntropyBackward(int rows, int cols, float labelSmoothing, Storage probs, Storage labels,
                                     Storage dRowLoss, Storage dLogits) {
        VectorCrossEntropy.backward(rows, cols, labelSmoothing, h(probs), h(labels), h(dRowLoss), h(dLogits));
    }

    @Override
    public void batchNormStatistics(int n, int c, int hw, Storage x, Storage mean, Storage var) {
        VectorBatchNorm.statistics(n, c, hw, h(x), h(mean), h(var));
    }

    @Override
    public void batchNormForward(int n, int c, int hw, float eps, Storage x, Storage mean, Storage var, Storage gamma,
                                 Storage beta, Storage y) {
        VectorBatchNorm.forward(n, c, hw, eps, h(x), h(mean), h(var), h(gamma), h(beta), h(y));
    }

    @Override
    public void batchNormBackward(int n, int c, int hw, float eps, boolean batchStatistics, Storage x, Storage dy,
                                  Storage mean, Storage var, Storage gamma, Storage dx, Storage dgamma,
                                  Storage dbeta) {
        VectorBatchNorm.backward(n, c, hw, eps, batchStatistics, h(x), h(dy), h(mean), h(var), h(gamma), h(dx),
                h(dgamma), h(dbeta));
    }

    @Override
    public void dropoutMask(long seed, float p, Storage mask, long n) {
        VectorDropout.mask(seed, p, h(mask), (int) n);
    }

    @Override
    public void sgdStep(SgdParams p, Storage param, Storage grad, Storage momentumBuffer, long n) {
        VectorOptimizers.sgd(p, h(param), h(grad), momentumBuffer == null ? null : h(momentumBuffer), (int) n);
    }

    @Override
    public void adamwStep(AdamWParams p, Storage param, Storage grad, Storage m, Storage v, long n) {
        VectorOptimizers.adamw(p, h(param), h(grad), h(m), h(v), (int) n);
    }
}
