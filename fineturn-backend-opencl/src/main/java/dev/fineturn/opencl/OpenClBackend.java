package dev.fineturn.opencl;

import dev.fineturn.spi.AdamWParams;
import dev.fineturn.spi.Backend;
import dev.fineturn.spi.BinaryOp;
import dev.fineturn.spi.ConvGeometry;
import dev.fineturn.spi.GemmSpec;
import dev.fineturn.spi.PoolGeometry;
import dev.fineturn.spi.SgdParams;
import dev.fineturn.spi.Storage;
import dev.fineturn.spi.UnaryOp;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The OpenCL backend: device buffers stay on the device, and every kernel of the SPI runs on the
 * device. {@link ClContext} holds the context, queue and program; the kernel families ({@code Cl*})
 * plan launches against a {@link ClLauncher}, which {@link ClQueueLauncher} puts on the queue. Only
 * {@link #read} and {@link #write} move data between host and device, and {@link #transfers()}
 * counts them.
 */
public final class OpenClBackend implements Backend {
    public static final String NAME = "opencl";
    static final String KERNELS_PROPERTY = "fineturn.opencl.kernels";

    private final ClDevice device;
    private final ClContext context;
    private final ClLauncher k;
    private final AtomicLong transfers = new AtomicLong();
    private volatile boolean cpuKernels;

    OpenClBackend(ClDevice device) {
        this.device = device;
        this.context = new ClContext(device);
        this.k = new ClQueueLauncher(this, context);
        this.cpuKernels = cpuKernelsByDefault(device);
    }

    /**
     * CPU devices get kernels shaped for CPUs: GEMM and GEMM-shaped convolutions on packed panels
     * (packed_gemm.cl) and depthwise rows (conv_rows.cl); GPUs get local-memory tiles and one
     * work-item per element. {@code fineturn.opencl.kernels=cpu|gpu} overrides the choice.
     */
    static boolean cpuKernelsByDefault(ClDevice device) {
        String choice = System.getProperty(KERNELS_PROPERTY, "");
        return switch (choice) {
            case "cpu" -> true;
            case "gpu" -> false;
            case "" -> !device.gpu();
            default -> throw new IllegalArgumentException(KERNELS_PROPERTY + " must be 'cpu' or 'gpu', not '"
                    + choice + "'");
        };
    }

    boolean cpuKernels() {
        return cpuKernels;
    }

    /** Selects the kernel family for GEMM and convolution (tests run both on any device). */
    void cpuKernels(boolean cpu) {
        cpuKernels = cpu;
    }

    public String deviceDescription() {
        return device.toString();
    }

    @Override
    public String name() {
        return NAME;
    }

    /** Host-device transfers ({@link #read} and {@link #write} calls) since this backend was created. */
    public long transfers() {
        return transfers.get();
    }

    /** The storage as this backend's buffer, or an error naming the backend it belongs to. */
    ClStorage own(Storage s) {
        if (s instanceof ClStorage cs && cs.backend() == this) {
            return cs;
        }
        throw new IllegalArgumentException("opencl backend was given storage of backend '" + s.backend().name()
                + "'; move the tensor with to(backend) first");
    }

    @Override
    public Storage allocate(long length) {
        if (length < 0 || length > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("opencl: cannot allocate " + length + " floats");
        }
        ClStorage s = new ClStorage(this, context.buffer(length), length);
        ClElementwise.fill(k, s, 0, length, 0f);
        return s;
    }

    @Override
    public void write(float[] src, int srcOffset, Storage dst, long dstOffset, int length) {
        transfers.incrementAndGet();
        if (length > 0) {
            context.write(src, srcOffset, own(dst).mem(), dstOffset, length);
        }
    }

    @Override
    public void read(Storage src, long srcOffset, float[] dst, int dstOffset, int length) {
        transfers.incrementAndGet();
        if (length > 0) {
            context.read(own(src).mem(), srcOffset, dst, dstOffset, length);
        }
    }

    @Override
    public void synchronize() {
        context.finish();
    }

    @Override
    public void fill(Storage dst, long offset, long length, float value) {
        ClElementwise.fill(k, dst, offset, length, value);
    }

    @Override
    public void copyStrided(int[] shape, Storage src, long srcOffset, int[] srcStrides, Storage dst, long dstOffset,
                            int[] dstStrides) {
        ClElementwise.copyStrided(k, shape, src, srcOffset, srcStrides, dst, dstOffset, dstStrides);
    }

    @Override
    public void unary(UnaryOp op, float alpha, float beta, Storage x, Storage y, long n) {
        ClElementwise.unary(k, op, alpha, beta, x, y, n);
    }

    @Override
    public void unaryBackward(UnaryOp op, float alpha, float beta, Storage x, Storage y, Storage dy, Storage dx,
                              long n) {
        ClElementwise.unaryBackward(k, op, alpha, beta, x, y, dy, dx, n);
    }

    @Override
    public void binary(BinaryOp op, int[] shape, Storage a, long aOffset, int[] aStrides, Storage b, long bOffset,
                       int[] bStrides, Storage out) {
        ClElementwise.binary(k, op, shape, a, aOffset, aStrides, b, bOffset, bStrides, out);
    }

    @Override
    public void gemm(GemmSpec s, float alpha, Storage a, long aOffset, Storage b, long bOffset, float beta, Storage c,
                     long cOffset) {
        ClGemm.gemm(k, s, alpha, a, aOffset, b, bOffset, beta, c, cOffset);
    }

    @Override
    public void sumReduce(int[] inShape, Storage in, int[] outShape, Storage out) {
        ClReduce.sum(k, inShape, in, outShape, out);
    }

    /** The convolution, then the shift, residual and activation with this backend's own kernels. */
    @Override
    public void conv2dForwardFused(ConvGeometry g, Storage x, Storage w, Storage bias, Storage residual,
                                   dev.fineturn.spi.ConvEpilogue act, Storage y) {
        Backend.super.conv2dForwardFused(g, x, w, bias, residual, act, y);
    }

    @Override
    public void conv2dForward(ConvGeometry g, Storage x, Storage w, Storage y) {
        ClConv.forward(k, g, x, w, y);
    }

    @Override
    public void conv2dBackwardData(ConvGeometry g, Storage dy, Storage w, Storage dx) {
        ClConv.backwardData(k, g, dy, w, dx);
    }

    @Override
    public void conv2dBackwardWeights(ConvGeometry g, Storage x, Storage dy, Storage dw) {
        ClConv.backwardWeights(k, g, x, dy, dw);
    }

    @Override
    public void maxPool2dForward(PoolGeometry g, Storage x, Storage y) {
        ClPool.maxForward(k, g, x, y);
    }

    @Override
    public void maxPool2dBackward(PoolGeometry g, Storage x, Storage dy, Storage dx) {
        ClPool.maxBackward(k, g, x, dy, dx);
    }

    @Override
    public void avgPool2dForward(PoolGeometry g, Storage x, Storage y) {
        ClPool.avgForward(k, g, x, y);
    }

    @Override
    public void avgPool2dBackward(PoolGeometry g, Storage dy, Storage dx) {
        ClPool.avgBackward(k, g, dy, dx);
    }

    @Override
    public void softmax(int rows, int cols, boolean log, Storage x, Storage y) {
        ClSoftmax.forward(k, rows, cols, log, x, y);
    }

    @Override
    public void softmaxBackward(int rows, int cols, boolean log, Storage y, Storage dy, Storage dx) {
        ClSoftmax.backward(k, rows, cols, log, y, dy, dx);
    }

    @Override
    public void crossEntropyForward(int rows, int cols, float labelSmoothing, Storage logits, Storage labels,
                                    Storage probs, Storage rowLoss) {
        ClSoftmax.crossEntropyForward(k, rows, cols, labelSmoothing, logits, labels, probs, rowLoss);
    }

    @Override
    public void crossEntropyBackward(int rows, int cols, float labelSmoothing, Storage probs, Storage labels,
                                     Storage dRowLoss, Storage dLogits) {
        ClSoftmax.crossEntropyBackward(k, rows, cols, labelSmoothing, probs, labels, dRowLoss, dLogits);
    }

    @Override
    public void batchNormStatistics(int n, int c, int hw, Storage x, Storage mean, Storage var) {
        ClNorm.statistics(k, n, c, hw, x, mean, var);
    }

    @Override
    public void batchNormForward(int n, int c, int hw, float eps, Storage x, Storage mean, Storage var,
                                 Storage gamma, Storage beta, Storage y) {
        ClNorm.forward(k, n, c, hw, eps, x, mean, var, gamma, beta, y);
    }

    @Override
    public void batchNormBackward(int n, int c, int hw, float eps, boolean batchStatistics, Storage x, Storage dy,
                                  Storage mean, Storage var, Storage gamma, Storage dx, Storage dgamma,
                                  Storage dbeta) {
        ClNorm.backward(k, n, c, hw, eps, batchStatistics, x, dy, mean, var, gamma, dx, dgamma, dbeta);
    }

    @Override
    public void dropoutMask(long seed, float p, Storage mask, long n) {
        ClOptim.dropoutMask(k, seed, p, mask, n);
    }

    @Override
    public void sgdStep(SgdParams p, Storage param, Storage grad, Storage momentumBuffer, long n) {
        ClOptim.sgd(k, p, param, grad, momentumBuffer, n);
    }

    @Override
    public void adamwStep(AdamWParams p, Storage param, Storage grad, Storage m, Storage v, long n) {
        ClOptim.adamw(k, p, param, grad, m, v, n);
    }
}
