package dev.fineturn.cuda;

import dev.fineturn.spi.Storage;
import jcuda.Pointer;

/** Turns Java kernel arguments into the pointers cuLaunchKernel takes. */
final class KernelArgs {
    private KernelArgs() {
    }

    static Pointer pointer(Object a, CudaBackend backend) {
        if (a instanceof Storage s) {
            return Pointer.to(backend.devicePointer(s));
        }
        if (a instanceof Integer v) {
            return Pointer.to(new int[]{v});
        }
        if (a instanceof Float v) {
            return Pointer.to(new float[]{v});
        }
        if (a instanceof int[] v) {
            // A struct of ints passed by value: the kernel reads v.length consecutive ints.
            return Pointer.to(v);
        }
        throw new IllegalArgumentException("cuda: unsupported kernel argument " + a);
    }

    /** Grid size for n threads in blocks of {@code block}, refusing sizes the grid cannot hold. */
    static int blocks(long n, int block) {
        long b = (n + block - 1) / block;
        if (b > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("cuda: " + n + " elements need more than 2^31 blocks");
        }
        return (int) Math.max(1, b);
    }
}
