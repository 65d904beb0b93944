package dev.fineturn.cuda;

import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.JCudaDriver;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link CudaDriver} on JCuda's driver API alone (no toolkit at run time): the device's primary
 * context, memory from cuMemAlloc (handles are CUdeviceptr), kernels from the committed PTX
 * launched on the default stream. Every call makes the context current on the calling thread.
 */
final class DriverApi implements CudaDriver {
    private final CUcontext context;
    private final CUmodule module;
    private final String deviceName;
    private final Map<String, CUfunction> functions = new ConcurrentHashMap<>();

    DriverApi(int ordinal) {
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
        JCudaDriver.cuModuleLoadData(module, CudaBackend.ptx());
    }

    @Override
    public String deviceName() {
        return deviceName;
    }

    private void current() {
        JCudaDriver.cuCtxSetCurrent(context);
    }

    private static CUdeviceptr ptr(Object handle) {
        return (CUdeviceptr) handle;
    }

    /**
     * Device memory is freed when its storage is collected, so an allocation that finds the
     * device full collects garbage once and tries again.
     */
    @Override
    public Object allocate(long floats) {
        current();
        CUdeviceptr ptr = new CUdeviceptr();
        long n = Math.max(1, floats);
        try {
            JCudaDriver.cuMemAlloc(ptr, n * Sizeof.FLOAT);
        } catch (CudaException e) {
            if (!String.valueOf(e.getMessage()).contains("OUT_OF_MEMORY")) {
                throw e;
            }
            System.gc();
            try {
                Thread.sleep(100);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
            current();
            JCudaDriver.cuMemAlloc(ptr, n * Sizeof.FLOAT);
        }
        JCudaDriver.cuMemsetD32(ptr, 0, n);
        return ptr;
    }

    @Override
    public Runnable freer(Object handle) {
        CUdeviceptr p = ptr(handle);
        return () -> {
            JCudaDriver.cuCtxSetCurrent(context);
            JCudaDriver.cuMemFree(p);
        };
    }

    @Override
    public void copyToDevice(float[] src, int srcOffset, Object dst, long dstOffset, int length) {
        current();
        JCudaDriver.cuMemcpyHtoD(ptr(dst).withByteOffset(dstOffset * Sizeof.FLOAT),
                Pointer.to(src).withByteOffset((long) srcOffset * Sizeof.FLOAT), (long) length * Sizeof.FLOAT);
    }

    @Override
    public void copyToHost(Object src, long srcOffset, float[] dst, int dstOffset, int length) {
        current();
        JCudaDriver.cuMemcpyDtoH(Pointer.to(dst).withByteOffset((long) dstOffset * Sizeof.FLOAT),
                ptr(src).withByteOffset(srcOffset * Sizeof.FLOAT), (long) length * Sizeof.FLOAT);
    }

    private CUfunction function(String name) {
        return functions.computeIfAbsent(name, n -> {
            CUfunction f = new CUfunction();
            JCudaDriver.cuModuleGetFunction(f, module, n);
            return f;
        });
    }

    @Override
    public void launch(String kernel, LaunchShape s, Object[] args) {
        current();
        Pointer[] ps = new Pointer[args.length];
        for (int i = 0; i < ps.length; i++) {
            ps[i] = KernelArgs.pointer(args[i]);
        }
        JCudaDriver.cuLaunchKernel(function(kernel), s.gridX(), s.gridY(), s.gridZ(), s.blockX(), s.blockY(),
                s.blockZ(), 0, null, Pointer.to(ps), null);
    }

    @Override
    public void synchronize() {
        current();
        JCudaDriver.cuCtxSynchronize();
    }

    @Override
    public long[] memoryInfo() {
        current();
        long[] free = new long[1];
        long[] total = new long[1];
        JCudaDriver.cuMemGetInfo(free, total);
        return new long[]{free[0], total[0]};
    }
}
