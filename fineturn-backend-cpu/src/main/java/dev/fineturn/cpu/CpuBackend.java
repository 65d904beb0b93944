package dev.fineturn.cpu;

import dev.fineturn.reference.ElementwiseKernels;
import dev.fineturn.spi.Backend;
import dev.fineturn.spi.BinaryOp;
import dev.fineturn.spi.ConvGeometry;
import dev.fineturn.spi.GemmSpec;
import dev.fineturn.spi.HostStorage;
import dev.fineturn.spi.Storage;
import dev.fineturn.spi.UnaryOp;

/**
 * The Vector API backend: host memory, packed multi-threaded GEMM, im2col/direct convolution and
 * vectorised elementwise kernels. Kernels not overridden here use the reference fallback.
 */
public final class CpuBackend implements Backend {
    public static final String NAME = "cpu";
    private static final CpuBackend INSTANCE = new CpuBackend();

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
        ElementwiseKernels.copyStrided(shape, h(src), (int) srcOffset, srcStrides, h(dst), (int) dstOffset,
                dstStrides);
    }

    @Override
    public void unary(UnaryOp op, float alpha, float beta, Storage x, Storage y, long n) {
        VectorElementwise.unary(op, alpha, beta, h(x), h(y), (int) n);
    }

    @Override
    public void binary(BinaryOp op, int[] shape, Storage a, long aOffset, int[] aStrides, Storage b, long bOffset,
                       int[] bStrides, Storage out) {
        VectorElementwise.binary(op, shape, h(a), (int) aOffset, aStrides, h(b), (int) bOffset, bStrides, h(out));
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
    public void conv2dBackwardData(ConvGeometry g, Storage dy, Storage w, Storage dx) {
        VectorConv.backwardData(g, h(dy), h(w), h(dx));
    }

    @Override
    public void conv2dBackwardWeights(ConvGeometry g, Storage x, Storage dy, Storage dw) {
        VectorConv.backwardWeights(g, h(x), h(dy), h(dw));
    }
}
