package dev.fineturn.reference;

import dev.fineturn.spi.AdamWParams;
import dev.fineturn.spi.Backend;
import dev.fineturn.spi.BinaryOp;
import dev.fineturn.spi.ConvGeometry;
import dev.fineturn.spi.GemmSpec;
import dev.fineturn.spi.HostStorage;
import dev.fineturn.spi.PoolGeometry;
import dev.fineturn.spi.SgdParams;
import dev.fineturn.spi.Storage;
import dev.fineturn.spi.UnaryOp;

/** The plain-Java backend: single-threaded, obviously correct, always available. The oracle. */
public final class ReferenceBackend implements Backend {
    public static final String NAME = "reference";
    private static final ReferenceBackend INSTANCE = new ReferenceBackend();

    private ReferenceBackend() {
    }

    public static ReferenceBackend get() {
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

    @Override
    public void write(float[] src, int srcOffset, Storage dst, long dstOffset, int length) {
        System.arraycopy(src, srcOffset, h(dst), (int) dstOffset, length);
    }

    @Override
    public void read(Storage src, long srcOffset, float[] dst, int dstOffset, int length) {
        System.arraycopy(h(src), (int) srcOffset, dst, dstOffset, length);
    }

    private float[] h(Storage s) {
        if (s instanceof HostStorage hs && hs.backend() == this) {
            return hs.data();
        }
        throw new IllegalArgumentException("reference backend was given storage of backend '"
                + s.backend().name() + "'; move the tensor with to(backend) first");
    }

    @Override
    public void fill(Storage dst, long offset, long length, float value) {
        ElementwiseKernels.fill(h(dst), (int) offset, (int) length, value);
    }

    @Override
    public void copyStrided(int[] shape, Storage src, long srcOffset, int[] srcStrides, Storage dst, long dstOffset,
                            int[] dstStrides) {
        ElementwiseKernels.copyStrided(shape, h(src), (int) srcOffset, srcStrides, h(dst), (int) dstOffset, dstStrides);
    }

    @Override
    public void unary(UnaryOp op, float alpha, float beta, Storage x, Storage y, long n) {
        ElementwiseKernels.unary(op, alpha, beta, h(x), h(y), (int) n);
    }

    @Override
    public void unaryBackward(UnaryOp op, float alpha, float beta, Storage x, Storage y, Storage dy, Storage dx,
                              long n) {
        ElementwiseKernels.unaryBackward(op, alpha, beta, h(x), h(y), h(dy), h(dx), (int) n);
    }

    @Override
    public void binary(BinaryOp op, int[] shape, Storage a, long aOffset, int[] aStrides, Storage b, long bOffset,
                       int[] bStrides, Storage out) {
        ElementwiseKernels.binary(op, shape, h(a), (int) aOffset, aStrides, h(b), (int) bOffset, bStrides, h(out));
    }

    @Override
    public void sumReduce(int[] inShape, Storage in, int[] outShape, Storage out) {
        ElementwiseKernels.sumReduce(inShape, h(in), outShape, h(out));
    }

    @Override
    public void gemm(GemmSpec spec, float alpha, Storage a, long aOffset, Storage b, long bOffset, float beta,
                     Storage c, long cOffset) {
        GemmKernels.gemm(spec, alpha, h(a), (int) aOffset, h(b), (int) bOffset, beta, h(c), (int) cOffset);
    }

    @Override
    public void conv2dForward(ConvGeometry g, Storage x, Storage w, Storage y) {
        ConvKernels.forward(g, h(x), h(w), h(y));
    }

    @Override
    public void conv2dBackwardData(ConvGeometry g, Storage dy, Storage w, Storage dx) {
        ConvKernels.backwardData(g, h(dy), h(w), h(dx));
    }

    @Override
    public void conv2dBackwardWeights(ConvGeometry g, Storage x, Storage dy, Storage dw) {
        ConvKernels.backwardWeights(g, h(x), h(dy), h(dw));
    }

    @Override
    public void maxPool2dForward(PoolGeometry g, Storage x, Storage y) {
        PoolKernels.maxForward(g, h(x), h(y));
    }

    @Override
    public void maxPool2dBackward(PoolGeometry g, Storage x, Storage dy, Storage dx) {
        PoolKernels.maxBackward(g, h(x), h(dy), h(dx));
    }

    @Override
    public void avgPool2dForward(PoolGeometry g, Storage x, Storage y) {
        PoolKernels.avgForward(g, h(x), h(y));
    }

    @Override
    public void avgPool2dBackward(PoolGeometry g, Storage dy, Storage dx) {
        PoolKernels.avgBackward(g, h(dy), h(dx));
    }

    @Override
    public void softmax(int rows, int cols, boolean log, Storage x, Storage y) {
        SoftmaxKernels.softmax(rows, cols, log, h(x), h(y));
    }

    @Override
    public void softmaxBackward(int rows, int cols, boolean log, Storage y, Storage dy, Storage dx) {
        SoftmaxKernels.softmaxBackward(rows, cols, log, h(y), h(dy), h(dx));
    }

    @Override
    public void crossEntropyForward(int rows, int cols, float labelSmoothing, Storage logits, Storage labels,
                                    Storage probs, Storage rowLoss) {
        SoftmaxKernels.crossEntropyForward(rows, cols, labelSmoothing, h(logits), h(labels), h(probs), h(rowLoss));
    }

    @Override
    public void crossEntropyBackward(int rows, int cols, float labelSmoothing, Storage probs, Storage labels,
                                     Storage dRowLoss, Storage dLogits) {
        SoftmaxKernels.crossEntropyBackward(rows, cols, labelSmoothing, h(probs), h(labels), h(dRowLoss), h(dLogits));
    }

    @Override
    public void batchNormStatistics(int n, int c, int hw, Storage x, Storage mean, Storage var) {
        NormKernels.statistics(n, c, hw, h(x), h(mean), h(var));
    }

    @Override
    public void batchNormForward(int n, int c, int hw, float eps, Storage x, Storage mean, Storage var, Storage gamma,
                                 Storage beta, Storage y) {
        NormKernels.forward(n, c, hw, eps, h(x), h(mean), h(var), h(gamma), h(beta), h(y));
    }

    @Override
    public void batchNormBackward(int n, int c, int hw, float eps, boolean batchStatistics, Storage x, Storage dy,
                                  Storage mean, Storage var, Storage gamma, Storage dx, Storage dgamma,
                                  Storage dbeta) {
        NormKernels.backward(n, c, hw, eps, batchStatistics, h(x), h(dy), h(mean), h(var), h(gamma), h(dx),
                h(dgamma), h(dbeta));
    }

    @Override
    public void dropoutMask(long seed, float p, Storage mask, long n) {
        ElementwiseKernels.dropoutMask(seed, p, h(mask), (int) n);
    }

    @Override
    public void sgdStep(SgdParams p, Storage param, Storage grad, Storage momentumBuffer, long n) {
        OptimizerKernels.sgd(p, h(param), h(grad), momentumBuffer == null ? new float[(int) n] : h(momentumBuffer),
                (int) n);
    }

    @Override
    public void adamwStep(AdamWParams p, Storage param, Storage grad, Storage m, Storage v, long n) {
        OptimizerKernels.adamw(p, h(param), h(grad), h(m), h(v), (int) n);
    }
}
