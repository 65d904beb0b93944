package dev.fineturn.cuda;

import dev.fineturn.spi.AdamWParams;
import dev.fineturn.spi.Backend;
import dev.fineturn.spi.BinaryOp;
import dev.fineturn.spi.ConvEpilogue;
import dev.fineturn.spi.ConvGeometry;
import dev.fineturn.spi.GemmSpec;
import dev.fineturn.spi.PoolGeometry;
import dev.fineturn.spi.SgdParams;
import dev.fineturn.spi.Storage;
import dev.fineturn.spi.UnaryOp;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The CUDA backend on the driver API alone: memory with cuMemAlloc, kernels from the committed PTX
 * (src/main/cuda/kernels.cu) launched in order on the default stream. Every kernel of the SPI
 * runs on the device; the kernel families (CudaGemm, CudaConv, CudaNorm, ...) plan the launches.
 * Tensors stay on the device: only {@link #read} and {@link #write} copy between host and device,
 * and {@link #transfers()} counts them so tests can show that a training step makes none.
 */
public final class CudaBackend implements Backend {
    public static final String NAME = "cuda";
    static final String PTX_RESOURCE = "kernels.ptx";

    private final CudaDriver driver;
    private final AtomicLong transfers = new AtomicLong();
    private final Launcher launcher = new Launcher();

    /** On device {@code ordinal} through JCuda's driver API. */
    CudaBackend(int ordinal) {
        this(new DriverApi(ordinal));
    }

    CudaBackend(CudaDriver driver) {
        this.driver = driver;
    }

    static byte[] ptx() {
        try (InputStream in = CudaBackend.class.getResourceAsStream(PTX_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing PTX resource " + PTX_RESOURCE);
            }
            byte[] bytes = in.readAllBytes();
            return java.util.Arrays.copyOf(bytes, bytes.length + 1);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read PTX resource", e);
        }
    }

    public String deviceName() {
        return driver.deviceName();
    }

    /** Host-to-device plus device-to-host copies made so far. */
    public long transfers() {
        return transfers.get();
    }

    /** {free, total} bytes of device memory, from cuMemGetInfo. */
    long[] memoryInfo() {
        return driver.memoryInfo();
    }

    @Override
    public String name() {
        return NAME;
    }

    private CudaStorage c(Storage s) {
        if (s instanceof CudaStorage cs && cs.backend() == this) {
            return cs;
        }
        throw new IllegalArgumentException("cuda backend was given storage of backend '" + s.backend().name()
                + "'; move the tensor with to(backend) first");
    }

    @Override
    public Storage allocate(long length) {
        if (length < 0 || length > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("cuda: cannot allocate " + length + " floats");
        }
        Object handle = driver.allocate(length);
        return new CudaStorage(this, handle, length, driver.freer(handle));
    }

    @Override
    public void write(float[] src, int srcOffset, Storage dst, long dstOffset, int length) {
        if (length == 0) {
            return;
        }
        transfers.incrementAndGet();
        driver.copyToDevice(src, srcOffset, c(dst).handle(), dstOffset, length);
    }

    @Override
    public void read(Storage src, long srcOffset, float[] dst, int dstOffset, int length) {
        if (length == 0) {
            return;
        }
        transfers.incrementAndGet();
        driver.copyToHost(c(src).handle(), srcOffset, dst, dstOffset, length);
    }

    @Override
    public void synchronize() {
        driver.synchronize();
    }

    /** Launches in order; storages travel as their driver handles. */
    private final class Launcher implements CudaLauncher {
        private Storage scratch;

        @Override
        public synchronized void launch(KernelLaunch l) {
            List<Object> args = l.args();
            Object[] a = new Object[args.size()];
            for (int i = 0; i < a.length; i++) {
                a[i] = args.get(i) instanceof Storage s ? c(s).handle() : args.get(i);
            }
            driver.launch(l.kernel(), l.shape(), a);
        }

        @Override
        public synchronized Storage scratch(long length) {
            if (scratch == null || scratch.length() < length) {
                scratch = null;
                scratch = allocate(length);
            }
            return scratch;
        }

        @Override
        public Storage allocate(long length) {
            return CudaBackend.this.allocate(length);
        }
    }

    // ---- kernels ---------------------------------------------------------------------------

    @Override
    public void fill(Storage dst, long offset, long length, float value) {
        CudaElementwise.fill(launcher, dst, offset, length, value);
    }

    @Override
    public void copyStrided(int[] shape, Storage src, long srcOffset, int[] srcStrides, Storage dst, long dstOffset,
                            int[] dstStrides) {
        CudaElementwise.copyStrided(launcher, shape, src, srcOffset, srcStrides, dst, dstOffset, dstStrides);
    }

    @Override
    public void unary(UnaryOp op, float alpha, float beta, Storage x, Storage y, long n) {
        CudaElementwise.unary(launcher, op, alpha, beta, x, y, n);
    }

    @Override
    public void unaryBackward(UnaryOp op, float alpha, float beta, Storage x, Storage y, Storage dy, Storage dx,
                              long n) {
        CudaElementwise.unaryBackward(launcher, op, alpha, beta, x, y, dy, dx, n);
    }

    @Override
    public void binary(BinaryOp op, int[] shape, Storage a, long aOffset, int[] aStrides, Storage b, long bOffset,
                       int[] bStrides, Storage out) {
        CudaElementwise.binary(launcher, op, shape, a, aOffset, aStrides, b, bOffset, bStrides, out);
    }

    @Override
    public void sumReduce(int[] inShape, Storage in, int[] outShape, Storage out) {
        CudaReduce.sum(launcher, inShape, in, outShape, out);
    }

    @Override
    public void gemm(GemmSpec s, float alpha, Storage a, long aOffset, Storage b, long bOffset, float beta, Storage c,
                     long cOffset) {
        CudaGemm.gemm(launcher, s, alpha, a, aOffset, b, bOffset, beta, c, cOffset);
    }

    /** The convolution, then the shift, residual and activation with this backend's own kernels. */
    @Override
    public void conv2dForwardFused(ConvGeometry g, Storage x, Storage w, Storage bias, Storage residual,
                                   ConvEpilogue act, Storage y) {
        Backend.super.conv2dForwardFused(g, x, w, bias, residual, act, y);
    }

    @Override
    public void conv2dForward(ConvGeometry g, Storage x, Storage w, Storage y) {
        CudaConv.forward(launcher, g, x, w, y);
    }

    @Override
    public void conv2dBackwardData(ConvGeometry g, Storage dy, Storage w, Storage dx) {
        CudaConv.backwardData(launcher, g, dy, w, dx);
    }

    @Override
    public void conv2dBackwardWeights(ConvGeometry g, Storage x, Storage dy, Storage dw) {
        CudaConv.backwardWeights(launcher, g, x, dy, dw);
    }

    @Override
    public void maxPool2dForward(PoolGeometry g, Storage x, Storage y) {
        CudaPool.maxForward(launcher, g, x, y);
    }

    @Override
    public void maxPool2dBackward(PoolGeometry g, Storage x, Storage dy, Storage dx) {
        CudaPool.maxBackward(launcher, g, x, dy, dx);
    }

    @Override
    public void avgPool2dForward(PoolGeometry g, Storage x, Storage y) {
        CudaPool.avgForward(launcher, g, x, y);
    }

    @Override
    public void avgPool2dBackward(PoolGeometry g, Storage dy, Storage dx) {
        CudaPool.avgBackward(launcher, g, dy, dx);
    }

    @Override
    public void softmax(int rows, int cols, boolean log, Storage x, Storage y) {
        CudaSoftmax.forward(launcher, rows, cols, log, x, y);
    }

    @Override
    public void softmaxBackward(int rows, int cols, boolean log, Storage y, Storage dy, Storage dx) {
        CudaSoftmax.backward(launcher, rows, cols, log, y, dy, dx);
    }

    @Override
    public void crossEntropyForward(int rows, int cols, float labelSmoothing, Storage logits, Storage labels,
                                    Storage probs, Storage rowLoss) {
        CudaSoftmax.crossEntropyForward(launcher, rows, cols, labelSmoothing, logits, labels, probs, rowLoss);
    }

    @Override
    public void crossEntropyBackward(int rows, int cols, float labelSmoothing, Storage probs, Storage labels,
                                     Storage dRowLoss, Storage dLogits) {
        CudaSoftmax.crossEntropyBackward(launcher, rows, cols, labelSmoothing, probs, labels, dRowLoss, dLogits);
    }

    @Override
    public void batchNormStatistics(int n, int c, int hw, Storage x, Storage mean, Storage var) {
        CudaNorm.statistics(launcher, n, c, hw, x, mean, var);
    }

    @Override
    public void batchNormForward(int n, int c, int hw, float eps, Storage x, Storage mean, Storage var,
                                 Storage gamma, Storage beta, Storage y) {
        CudaNorm.forward(launcher, n, c, hw, eps, x, mean, var, gamma, beta, y);
    }

    @Override
    public void batchNormBackward(int n, int c, int hw, float eps, boolean batchStatistics, Storage x, Storage dy,
                                  Storage mean, Storage var, Storage gamma, Storage dx, Storage dgamma,
                                  Storage dbeta) {
        CudaNorm.backward(launcher, n, c, hw, eps, batchStatistics, x, dy, mean, var, gamma, dx, dgamma, dbeta);
    }

    @Override
    public void dropoutMask(long seed, float p, Storage mask, long n) {
        CudaOptim.dropoutMask(launcher, seed, p, mask, n);
    }

    @Override
    public void sgdStep(SgdParams p, Storage param, Storage grad, Storage momentumBuffer, long n) {
        CudaOptim.sgd(launcher, p, param, grad, momentumBuffer, n);
    }

    @Override
    public void adamwStep(AdamWParams p, Storage param, Storage grad, Storage m, Storage v, long n) {
        CudaOptim.adamw(launcher, p, param, grad, m, v, n);
    }
}
