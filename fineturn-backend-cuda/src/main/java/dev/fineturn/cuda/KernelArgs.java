package dev.fineturn.cuda;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;

/** Turns kernel arguments (device memory as CUdeviceptr) into the pointers cuLaunchKernel takes. */
final class KernelArgs {
    private KernelArgs() {
    }

    static Pointer pointer(Object a) {
        if (a instanceof CUdeviceptr p) {
            return Pointer.to(p);
        }
        if (a instanceof Integer v) {
            return Pointer.to(new int[]{v});
        }
        if (a instanceof Float v) {
            return Pointer.to(new float[]{v});
        }
        if (a instanceof Long v) {
            return Pointer.to(new long[]{v});
        }
        if (a instanceof int[] v) {
            // A struct of ints passed by value: the kernel reads v.length consecutive ints.
            return Pointer.to(v);
        }
        throw new IllegalArgumentException("cuda: unsupported kernel argument " + a);
    }
}
