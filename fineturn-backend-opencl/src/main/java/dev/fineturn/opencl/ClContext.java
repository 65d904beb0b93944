package dev.fineturn.opencl;

import dev.fineturn.spi.Storage;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;

import java.util.List;
import java.util.function.Function;

/**
 * One device's OpenCL context: the in-order command queue, the program built from the kernel
 * sources, buffers, blocking transfers, and kernel launches with their arguments set.
 */
final class ClContext {
    /**
     * One program, in this order: the kernels shared with the CUDA backend ({@code .h}, from kernels/ at the
     * repository root, written against dialect.h) and OpenCL's own GEMM and convolutions ({@code .cl}).
     */
    static final String[] SOURCES = {"dialect.h", "elementwise.h", "reduce.h", "conv_direct.h", "gemm.cl",
        "conv.cl", "packed_gemm.cl", "conv_rows.cl", "pool.h", "softmax.h", "norm.h", "dropout.h", "optim.h"};

    private final cl_context context;
    private final cl_command_queue queue;
    private final ClProgram program;

    ClContext(ClDevice device) {
        cl_context_properties props = new cl_context_properties();
        props.addProperty(CL.CL_CONTEXT_PLATFORM, device.platform());
        context = CL.clCreateContext(props, 1, new org.jocl.cl_device_id[]{device.device()}, null, null, null);
        @SuppressWarnings("deprecation")
        cl_command_queue q = CL.clCreateCommandQueue(context, device.device(), 0, null);
        queue = q;
        program = new ClProgram(context, device.device(), SOURCES);
    }

    /** An uninitialised buffer of {@code length} floats (at least one, as OpenCL refuses empty buffers). */
    cl_mem buffer(long length) {
        return CL.clCreateBuffer(context, CL.CL_MEM_READ_WRITE, Math.max(1, length) * Sizeof.cl_float, null, null);
    }

    void write(float[] src, int srcOffset, cl_mem dst, long dstOffset, int length) {
        CL.clEnqueueWriteBuffer(queue, dst, CL.CL_TRUE, dstOffset * Sizeof.cl_float,
                (long) length * Sizeof.cl_float, Pointer.to(src).withByteOffset((long) srcOffset * Sizeof.cl_float),
                0, null, null);
    }

    void read(cl_mem src, long srcOffset, float[] dst, int dstOffset, int length) {
        CL.clEnqueueReadBuffer(queue, src, CL.CL_TRUE, srcOffset * Sizeof.cl_float,
                (long) length * Sizeof.cl_float, Pointer.to(dst).withByteOffset((long) dstOffset * Sizeof.cl_float),
                0, null, null);
    }

    void finish() {
        CL.clFinish(queue);
    }

    /**
     * Sets the kernel's arguments and queues it. A kernel object holds its arguments, so callers
     * serialise launches (the launcher's monitor).
     */
    void enqueue(ClLaunch l, Function<Storage, cl_mem> memory) {
        cl_kernel k = program.kernel(l.kernel());
        List<Object> args = l.args();
        for (int i = 0; i < args.size(); i++) {
            switch (args.get(i)) {
                case Storage s -> CL.clSetKernelArg(k, i, Sizeof.cl_mem, Pointer.to(memory.apply(s)));
                case Integer v -> CL.clSetKernelArg(k, i, Sizeof.cl_int, Pointer.to(new int[]{v}));
                case Long v -> CL.clSetKernelArg(k, i, Sizeof.cl_long, Pointer.to(new long[]{v}));
                case Float v -> CL.clSetKernelArg(k, i, Sizeof.cl_float, Pointer.to(new float[]{v}));
                case int[] v -> CL.clSetKernelArg(k, i, (long) Sizeof.cl_int * v.length, Pointer.to(v));
                default -> throw new IllegalArgumentException("opencl: unsupported kernel argument " + args.get(i));
            }
        }
        long[] global = l.range().global();
        CL.clEnqueueNDRangeKernel(queue, k, global.length, null, global, l.range().local(), 0, null, null);
    }
}
