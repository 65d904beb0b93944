package dev.fineturn.opencl;

import dev.fineturn.spi.Storage;

/**
 * What the kernel families need from the device: launches in queue order, a reusable scratch
 * buffer, fresh memory, and which kernel family suits the device. {@link ClQueueLauncher}
 * implements it on an OpenCL command queue; unit tests record the launches instead.
 */
interface ClLauncher {
    void launch(ClLaunch launch);

    default void launch(String kernel, ClRange range, Object... args) {
        launch(ClLaunch.of(kernel, range, args));
    }

    /**
     * A device buffer of at least {@code length} floats, reused between calls. Callers hold this
     * launcher's monitor from the first launch that writes it to the last that reads it.
     */
    Storage scratch(long length);

    /** Zero-filled device memory. */
    Storage allocate(long length);

    /**
     * Whether GEMM and convolution take the kernels shaped for CPU devices (packed_gemm.cl,
     * conv_rows.cl) rather than local-memory tiles and one work-item per element.
     */
    boolean cpuKernels();

    /** {@code v} as an int, or an error naming {@code what} when it exceeds the 32-bit index range. */
    static int checkedInt(long v, String what) {
        if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) {
            throw new IllegalArgumentException("opencl: " + what + " " + v + " exceeds the 32-bit index range");
        }
        return (int) v;
    }

    /** A shape, strides or other per-dimension vector as the kernels' {@code Dims} struct. */
    static int[] dims(int[] v) {
        if (v.length > 8) {
            throw new IllegalArgumentException("opencl: rank " + v.length + " exceeds 8");
        }
        return java.util.Arrays.copyOf(v, 8);
    }

    static long count(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }
}
