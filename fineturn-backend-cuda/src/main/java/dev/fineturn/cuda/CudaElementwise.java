package dev.fineturn.cuda;

import dev.fineturn.spi.BinaryOp;
import dev.fineturn.spi.Storage;
import dev.fineturn.spi.UnaryOp;

import static dev.fineturn.cuda.CudaLauncher.checkedInt;
import static dev.fineturn.cuda.CudaLauncher.count;
import static dev.fineturn.cuda.CudaLauncher.dims;

/** Fill, strided copy, unary and broadcasting binary kernels: one thread per output element. */
final class CudaElementwise {
    private CudaElementwise() {
    }

    static void fill(CudaLauncher k, Storage dst, long offset, long length, float value) {
        if (length == 0) {
            return;
        }
        k.launch("fill", LaunchShape.linear(length), dst, checkedInt(offset, "offset"), checkedInt(length, "length"),
                value);
    }

    static void copyStrided(CudaLauncher k, int[] shape, Storage src, long srcOffset, int[] srcStrides, Storage dst,
                            long dstOffset, int[] dstStrides) {
        long n = count(shape);
        if (n == 0) {
            return;
        }
        k.launch("copy_strided", LaunchShape.linear(n), shape.length, dims(shape), dims(srcStrides), dims(dstStrides),
                src, checkedInt(srcOffset, "offset"), dst, checkedInt(dstOffset, "offset"), checkedInt(n, "length"));
    }

    static void unary(CudaLauncher k, UnaryOp op, float alpha, float beta, Storage x, Storage y, long n) {
        if (n == 0) {
            return;
        }
        k.launch("unary", LaunchShape.linear(n), op.ordinal(), alpha, beta, x, y, checkedInt(n, "length"));
    }

    static void unaryBackward(CudaLauncher k, UnaryOp op, float alpha, float beta, Storage x, Storage y, Storage dy,
                              Storage dx, long n) {
        if (n == 0) {
            return;
        }
        k.launch("unary_backward", LaunchShape.linear(n), op.ordinal(), alpha, beta, x, y, dy, dx,
                checkedInt(n, "length"));
    }

    static void binary(CudaLauncher k, BinaryOp op, int[] shape, Storage a, long aOffset, int[] aStrides, Storage b,
                       long bOffset, int[] bStrides, Storage out) {
        long n = count(shape);
        if (n == 0) {
            return;
        }
        k.launch("binary", LaunchShape.linear(n), op.ordinal(), shape.length, dims(shape), dims(aStrides),
                dims(bStrides), a, checkedInt(aOffset, "offset"), b, checkedInt(bOffset, "offset"), out,
                checkedInt(n, "length"));
    }
}
