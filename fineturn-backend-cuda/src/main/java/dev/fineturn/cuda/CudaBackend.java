package dev.fineturn.cuda;

import dev.fineturn.spi.Backend;
import dev.fineturn.spi.BinaryOp;
import dev.fineturn.spi.GemmSpec;
import dev.fineturn.spi.Storage;
import dev.fineturn.spi.UnaryOp;
import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.JCudaDriver;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The CUDA backend on the driver API alone: memory with cuMemAlloc, kernels from the committed PTX.
 * Tensors stay on the device; {@link #transfers()} counts host/device copies so tests can show that
 * a training step makes none. Kernels not overridden here use the reference fallback.
 */
public final class CudaBackend implements Backend {
    public static final String NAME = "cuda";
    static final String PTX_RESOURCE = "kernels.ptx";
    private static final int MAX_RANK = 8;

    private final CUcontext context;
    private final CUmodule module;
    private final String deviceName;
    private final Map<String, CUfunction> functions = new ConcurrentHashMap<>();
    private final AtomicLong transfers = new AtomicLong();

    CudaBackend(int ordinal) {
        JCudaDriver.setExceptionsEnabled(true);
        JCudaDriver.cuInit(0);
        CUdevice device = new CUdevice();
        JCudaDriver.cuDeviceGet(device, ordinal);
        byte[] name = new byte[256];
        JCudaDriver.cuDeviceGetName(name, name.length, device);
        deviceName = new String(name).trim();
        context = new CUcontext();
        JCudaDriver.cuDevicePrimaryCtxRetain(context, device);
        JCudaDriver.cuCtxSetCurrent(context);
        module = new CUmodule();
        JCudaDriver.cuModuleLoadData(module, ptx());
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
        return deviceName;
    }

    /** Host-to-device plus device-to-host copies made so far. */
    public long transfers() {
        return transfers.get();
    }

    @Override
    public String name() {
        return NAME;
    }

    private void current() {
        JCudaDriver.cuCtxSetCurrent(context);
    }

    Runnable freer(CUdeviceptr ptr) {
        return () -> {
            JCudaDriver.cuCtxSetCurrent(context);
            JCudaDriver.cuMemFree(ptr);
        };
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
        current();
        CUdeviceptr ptr = new CUdeviceptr();
        JCudaDriver.cuMemAlloc(ptr, Math.max(1, length) * Sizeof.FLOAT);
        JCudaDriver.cuMemsetD32(ptr, 0, Math.max(1, length));
        return new CudaStorage(this, ptr, length);
    }

    @Override
    public void write(float[] src, int srcOffset, Storage dst, long dstOffset, int length) {
        if (length == 0) {
            return;
        }
        current();
        transfers.incrementAndGet();
        JCudaDriver.cuMemcpyHtoD(c(dst).ptr().withByteOffset(dstOffset * Sizeof.FLOAT),
                Pointer.to(src).withByteOffset((long) srcOffset * Sizeof.FLOAT), (long) length * Sizeof.FLOAT);
    }

    @Override
    public void read(Storage src, long srcOffset, float[] dst, int dstOffset, int length) {
        if (length == 0) {
            return;
        }
        current();
        transfers.incrementAndGet();
        JCudaDriver.cuMemcpyDtoH(Pointer.to(dst).withByteOffset((long) dstOffset * Sizeof.FLOAT),
                c(src).ptr().withByteOffset(srcOffset * Sizeof.FLOAT), (long) length * Sizeof.FLOAT);
    }

    @Override
    public void synchronize() {
        current();
        JCudaDriver.cuCtxSynchronize();
    }

    private CUfunction function(String name) {
        return functions.computeIfAbsent(name, n -> {
            CUfunction f = new CUfunction();
            JCudaDriver.cuModuleGetFunction(f, module, n);
            return f;
        });
    }

    private void launch(String kernel, int gridX, int gridY, int gridZ, int blockX, int blockY, Object... args) {
        current();
        Pointer[] ps = new Pointer[args.length];
        for (int i = 0; i < args.length; i++) {
            ps[i] = KernelArgs.pointer(args[i], this);
        }
        JCudaDriver.cuLaunchKernel(function(kernel), gridX, gridY, gridZ, blockX, blockY, 1, 0, null,
                Pointer.to(ps), null);
    }

    CUdeviceptr devicePointer(Storage s) {
        return c(s).ptr();
    }

    private void launch1d(String kernel, long n, Object... args) {
        launch(kernel, (int) ((n + 255) / 256), 1, 1, 256, 1, args);
    }

    private static int[] dims(int[] v) {
        if (v.length > MAX_RANK) {
            throw new IllegalArgumentException("cuda: rank " + v.length + " exceeds " + MAX_RANK);
        }
        return java.util.Arrays.copyOf(v, MAX_RANK);
    }

    private static long count(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    @Override
    public void fill(Storage dst, long offset, long length, float value) {
        if (length > 0) {
            launch1d("fill", length, dst, (int) offset, (int) length, value);
        }
    }

    @Override
    public void copyStrided(int[] shape, Storage src, long srcOffset, int[] srcStrides, Storage dst, long dstOffset,
                            int[] dstStrides) {
        long n = count(shape);
        if (n > 0) {
            launch1d("copy_strided", n, shape.length, dims(shape), dims(srcStrides), dims(dstStrides), src,
                    (int) srcOffset, dst, (int) dstOffset, (int) n);
        }
    }

    @Override
    public void unary(UnaryOp op, float alpha, float beta, Storage x, Storage y, long n) {
        if (n > 0) {
            launch1d("unary", n, op.ordinal(), alpha, beta, x, y, (int) n);
        }
    }

    @Override
    public void unaryBackward(UnaryOp op, float alpha, float beta, Storage x, Storage y, Storage dy, Storage dx,
                              long n) {
        if (n > 0) {
            launch1d("unary_backward", n, op.ordinal(), alpha, beta, x, y, dy, dx, (int) n);
        }
    }

    @Override
    public void binary(BinaryOp op, int[] shape, Storage a, long aOffset, int[] aStrides, Storage b, long bOffset,
                       int[] bStrides, Storage out) {
        long n = count(shape);
        if (n > 0) {
            launch1d("binary", n, op.ordinal(), shape.length, dims(shape), dims(aStrides), dims(bStrides), a,
                    (int) aOffset, b, (int) bOffset, out, (int) n);
        }
    }

    @Override
    public void gemm(GemmSpec s, float alpha, Storage a, long aOffset, Storage b, long bOffset, float beta, Storage c,
                     long cOffset) {
        if (s.m() == 0 || s.n() == 0) {
            return;
        }
        launch("gemm_small", (s.n() + 63) / 64, (s.m() + 63) / 64, s.batch(), 256, 1, s.m(), s.n(), s.k(),
                s.transA() ? 1 : 0, s.transB() ? 1 : 0, alpha, beta, a, (int) aOffset, (int) s.strideA(), b,
                (int) bOffset, (int) s.strideB(), c, (int) cOffset, (int) s.strideC());
    }
}
