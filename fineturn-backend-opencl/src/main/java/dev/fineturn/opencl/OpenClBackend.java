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
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The OpenCL backend: device buffers stay on the device; kernels come from {@code .cl} resources
 * and every kernel of the SPI runs on the device. Only {@link #read} and {@link #write} move data
 * between host and device, and {@link #transfers()} counts them.
 */
public final class OpenClBackend implements Backend {
    public static final String NAME = "opencl";
    private static final int MAX_RANK = 8;
    /** The work-group size of the reduction kernels: {@code RB} in dialect.h. */
    static final int RB = 64;
    /** Output tile edge of gemm.cl's kernels ({@code TS}), computed by 16x16 work-items. */
    static final int TILE = 64;
    static final long[] TILE_LOCAL = {16, 16, 1};
    static final String KERNELS_PROPERTY = "fineturn.opencl.kernels";
    /**
     * One program, in this order: the kernels shared with the CUDA backend ({@code .h}, from kernels/ at the
     * repository root, written against dialect.h) and OpenCL's own GEMM and convolutions ({@code .cl}).
     */
    private static final String[] SOURCES = {"dialect.h", "elementwise.h", "reduce.h", "conv_direct.h", "gemm.cl",
        "conv.cl", "packed_gemm.cl", "conv_rows.cl", "pool.h", "softmax.h", "norm.h", "dropout.h", "optim.h"};

    private final ClDevice device;
    private final cl_context context;
    private final cl_command_queue queue;
    private final ClProgram program;
    private final AtomicLong transfers = new AtomicLong();
    private Storage scratch;
    private volatile boolean cpuKernels;

    OpenClBackend(ClDevice device) {
        this.device = device;
        cl_context_properties props = new cl_context_properties();
        props.addProperty(CL.CL_CONTEXT_PLATFORM, device.platform());
        context = CL.clCreateContext(props, 1, new org.jocl.cl_device_id[]{device.device()}, null, null, null);
        @SuppressWarnings("deprecation")
        cl_command_queue q = CL.clCreateCommandQueue(context, device.device(), 0, null);
        queue = q;
        program = new ClProgram(context, device.device(), SOURCES);
        cpuKernels = cpuKernelsByDefault(device);
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

    private ClStorage c(Storage s) {
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
        cl_mem mem = CL.clCreateBuffer(context, CL.CL_MEM_READ_WRITE, Math.max(1, length) * Sizeof.cl_float, null,
                null);
        ClStorage s = new ClStorage(this, mem, length);
        if (length > 0) {
            fill(s, 0, length, 0f);
        }
        return s;
    }

    @Override
    public void write(float[] src, int srcOffset, Storage dst, long dstOffset, int length) {
        transfers.incrementAndGet();
        if (length == 0) {
            return;
        }
        CL.clEnqueueWriteBuffer(queue, c(dst).mem(), CL.CL_TRUE, dstOffset * Sizeof.cl_float,
                (long) length * Sizeof.cl_float, Pointer.to(src).withByteOffset((long) srcOffset * Sizeof.cl_float),
                0, null, null);
    }

    @Override
    public void read(Storage src, long srcOffset, float[] dst, int dstOffset, int length) {
        transfers.incrementAndGet();
        if (length == 0) {
            return;
        }
        CL.clEnqueueReadBuffer(queue, c(src).mem(), CL.CL_TRUE, srcOffset * Sizeof.cl_float,
                (long) length * Sizeof.cl_float, Pointer.to(dst).withByteOffset((long) dstOffset * Sizeof.cl_float),
                0, null, null);
    }

    @Override
    public void synchronize() {
        CL.clFinish(queue);
    }

    synchronized void launch(String kernelName, long[] global, long[] local, Object... args) {
        cl_kernel k = program.kernel(kernelName);
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a instanceof Storage s) {
                CL.clSetKernelArg(k, i, Sizeof.cl_mem, Pointer.to(c(s).mem()));
            } else if (a instanceof Integer v) {
                CL.clSetKernelArg(k, i, Sizeof.cl_int, Pointer.to(new int[]{v}));
            } else if (a instanceof Long v) {
                CL.clSetKernelArg(k, i, Sizeof.cl_long, Pointer.to(new long[]{v}));
            } else if (a instanceof Float v) {
                CL.clSetKernelArg(k, i, Sizeof.cl_float, Pointer.to(new float[]{v}));
            } else if (a instanceof int[] v) {
                CL.clSetKernelArg(k, i, (long) Sizeof.cl_int * v.length, Pointer.to(v));
            } else {
                throw new IllegalArgumentException("opencl: unsupported kernel argument " + a);
            }
        }
        CL.clEnqueueNDRangeKernel(queue, k, global.length, null, global, local, 0, null, null);
    }

    /**
     * A device buffer of at least {@code length} floats, reused between calls. Callers hold this
     * backend's monitor from the first launch that writes it to the last that reads it.
     */
    synchronized Storage scratch(long length) {
        if (scratch == null || scratch.length() < length) {
            scratch = allocate(length);
        }
        return scratch;
    }

    static long[] grid(long n) {
        return new long[]{Math.max(1, (n + 63) / 64 * 64)};
    }

    /** The range for output tiles of gemm.cl over columns x rows, times {@code depth}. */
    static long[] tiles(long cols, long rows, long depth) {
        return new long[]{(cols + TILE - 1) / TILE * 16, (rows + TILE - 1) / TILE * 16, depth};
    }

    /** One work-group of {@code size} work-items for each of {@code groups} items. */
    static long[] groups(long groups, int size) {
        return new long[]{Math.max(1, groups) * size};
    }

    static int[] int8(int[] v) {
        if (v.length > MAX_RANK) {
            throw new IllegalArgumentException("opencl: rank " + v.length + " exceeds " + MAX_RANK);
        }
        return java.util.Arrays.copyOf(v, MAX_RANK);
    }

    static int checkedInt(long v, String what) {
        if (v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("opencl: " + what + " " + v + " exceeds the 32-bit index range");
        }
        return (int) v;
    }

    @Override
    public void fill(Storage dst, long offset, long length, float value) {
        if (length == 0) {
            return;
        }
        launch("fill", grid(length), null, dst, checkedInt(offset, "offset"), checkedInt(length, "length"), value);
    }

    @Override
    public void copyStrided(int[] shape, Storage src, long srcOffset, int[] srcStrides, Storage dst, long dstOffset,
                            int[] dstStrides) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        if (n == 0) {
            return;
        }
        launch("copy_strided", grid(n), null, shape.length, int8(shape), int8(srcStrides), int8(dstStrides), src,
                checkedInt(srcOffset, "offset"), dst, checkedInt(dstOffset, "offset"), (int) n);
    }

    @Override
    public void unary(UnaryOp op, float alpha, float beta, Storage x, Storage y, long n) {
        if (n == 0) {
            return;
        }
        launch("unary", grid(n), null, op.ordinal(), alpha, beta, x, y, checkedInt(n, "length"));
    }

    @Override
    public void unaryBackward(UnaryOp op, float alpha, float beta, Storage x, Storage y, Storage dy, Storage dx,
                              long n) {
        if (n == 0) {
            return;
        }
        launch("unary_backward", grid(n), null, op.ordinal(), alpha, beta, x, y, dy, dx, checkedInt(n, "length"));
    }

    @Override
    public void binary(BinaryOp op, int[] shape, Storage a, long aOffset, int[] aStrides, Storage b, long bOffset,
                       int[] bStrides, Storage out) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        if (n == 0) {
            return;
        }
        launch("binary", grid(n), null, op.ordinal(), shape.length, int8(shape), int8(aStrides), int8(bStrides), a,
                checkedInt(aOffset, "offset"), b, checkedInt(bOffset, "offset"), out, (int) n);
    }

    @Override
    public void gemm(GemmSpec s, float alpha, Storage a, long aOffset, Storage b, long bOffset, float beta, Storage c,
                     long cOffset) {
        if (s.m() == 0 || s.n() == 0) {
            return;
        }
        if (cpuKernels) {
            ClPackedGemm.run(this, ClPackedGemm.NO_GEOMETRY, s.batch(), s.m(), s.n(), s.k(), alpha,
                    new ClPackedGemm.Source(ClPackedGemm.MATRIX, s.transA(), a, checkedInt(aOffset, "offset"),
                            checkedInt(s.strideA(), "stride")),
                    new ClPackedGemm.Source(ClPackedGemm.MATRIX, s.transB(), b, checkedInt(bOffset, "offset"),
                            checkedInt(s.strideB(), "stride")),
                    beta, ClPackedGemm.Target.matrix(c, checkedInt(cOffset, "offset"), checkedInt(s.strideC(),
                            "stride"), s.n()));
            return;
        }
        launch("gemm", tiles(s.n(), s.m(), s.batch()), TILE_LOCAL, s.m(), s.n(), s.k(), s.transA() ? 1 : 0,
                s.transB() ? 1 : 0, alpha, beta, a, checkedInt(aOffset, "offset"), checkedInt(s.strideA(), "stride"), b,
                checkedInt(bOffset, "offset"), checkedInt(s.strideB(), "stride"), c, checkedInt(cOffset, "offset"),
                checkedInt(s.strideC(), "stride"));
    }

    @Override
    public void sumReduce(int[] inShape, Storage in, int[] outShape, Storage out) {
        ClReduce.sum(this, inShape, in, outShape, out);
    }

    @Override
    public void conv2dForward(ConvGeometry g, Storage x, Storage w, Storage y) {
        ClConv.forward(this, g, x, w, y);
    }

    @Override
    public void conv2dBackwardData(ConvGeometry g, Storage dy, Storage w, Storage dx) {
        ClConv.backwardData(this, g, dy, w, dx);
    }

    @Override
    public void conv2dBackwardWeights(ConvGeometry g, Storage x, Storage dy, Storage dw) {
        ClConv.backwardWeights(this, g, x, dy, dw);
    }

    @Override
    public void maxPool2dForward(PoolGeometry g, Storage x, Storage y) {
        ClPool.maxForward(this, g, x, y);
    }

    @Override
    public void maxPool2dBackward(PoolGeometry g, Storage x, Storage dy, Storage dx) {
        ClPool.maxBackward(this, g, x, dy, dx);
    }

    @Override
    public void avgPool2dForward(PoolGeometry g, Storage x, Storage y) {
        ClPool.avgForward(this, g, x, y);
    }

    @Override
    public void avgPool2dBackward(PoolGeometry g, Storage dy, Storage dx) {
        ClPool.avgBackward(this, g, dy, dx);
    }

    @Override
    public void softmax(int rows, int cols, boolean log, Storage x, Storage y) {
        ClSoftmax.forward(this, rows, cols, log, x, y);
    }

    @Override
    public void softmaxBackward(int rows, int cols, boolean log, Storage y, Storage dy, Storage dx) {
        ClSoftmax.backward(this, rows, cols, log, y, dy, dx);
    }

    @Override
    public void crossEntropyForward(int rows, int cols, float labelSmoothing, Storage logits, Storage labels,
                                    Storage probs, Storage rowLoss) {
        ClSoftmax.crossEntropyForward(this, rows, cols, labelSmoothing, logits, labels, probs, rowLoss);
    }

    @Override
    public void crossEntropyBackward(int rows, int cols, float labelSmoothing, Storage probs, Storage labels,
                                     Storage dRowLoss, Storage dLogits) {
        ClSoftmax.crossEntropyBackward(this, rows, cols, labelSmoothing, probs, labels, dRowLoss, dLogits);
    }

    @Override
    public void batchNormStatistics(int n, int c, int hw, Storage x, Storage mean, Storage var) {
        ClNorm.statistics(this, n, c, hw, x, mean, var);
    }

    @Override
    public void batchNormForward(int n, int c, int hw, float eps, Storage x, Storage mean, Storage var,
                                 Storage gamma, Storage beta, Storage y) {
        ClNorm.forward(this, n, c, hw, eps, x, mean, var, gamma, beta, y);
    }

    @Override
    public void batchNormBackward(int n, int c, int hw, float eps, boolean batchStatistics, Storage x, Storage dy,
                                  Storage mean, Storage var, Storage gamma, Storage dx, Storage dgamma,
                                  Storage dbeta) {
        ClNorm.backward(this, n, c, hw, eps, batchStatistics, x, dy, mean, var, gamma, dx, dgamma, dbeta);
    }

    @Override
    public void dropoutMask(long seed, float p, Storage mask, long n) {
        ClOptim.dropoutMask(this, seed, p, mask, n);
    }

    @Override
    public void sgdStep(SgdParams p, Storage param, Storage grad, Storage momentumBuffer, long n) {
        ClOptim.sgd(this, p, param, grad, momentumBuffer, n);
    }

    @Override
    public void adamwStep(AdamWParams p, Storage param, Storage grad, Storage m, Storage v, long n) {
        ClOptim.adamw(this, p, param, grad, m, v, n);
    }
}
