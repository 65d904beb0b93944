package dev.fineturn.opencl;

import dev.fineturn.spi.BinaryOp;
import dev.fineturn.spi.Storage;
import dev.fineturn.spi.UnaryOp;

import static dev.fineturn.opencl.ClLauncher.checkedInt;
import static dev.fineturn.opencl.ClLauncher.count;
import static dev.fineturn.opencl.ClLauncher.dims;

/** Fill, strided copy, unary and broadcasting binary ops: one work-item per element. */
final class ClElementwise {
    private ClElementwise() {
    }

    static void fill(ClLauncher k, Storage dst, long offset, long length, float value) {
        if (length == 0) {
            return;
        }
        k.launch("fill", ClRange.linear(length), dst, checkedInt(offset, "offset"), checkedInt(length, "length"),
                value);
    }

    static void copyStrided(ClLauncher k, int[] shape, Storage src, long srcOffset, int[] srcStrides, Storage dst,
                            long dstOffset, int[] dstStrides) {
        long n = count(shape);
        if (n == 0) {
            return;
        }
        k.launch("copy_strided", ClRange.linear(n), shape.length, dims(shape), dims(srcStrides), dims(dstStrides),
                src, checkedInt(srcOffset, "offset"), dst, checkedInt(dstOffset, "offset"), checkedInt(n, "length"));
    }

    static void unary(ClLauncher k, UnaryOp op, float alpha, float beta, Storage x, Storage y, long n) {
        if (n == 0) {
            return;
        }
        k.launch("unary", ClRange.linear(n), op.ordinal(), alpha, beta, x, y, checkedInt(n, "length"));
    }

    static void unaryBackward(ClLauncher k, UnaryOp op, float alpha, float beta, Storage x, Storage y, Storage dy,
                              Storage dx, long n) {
        if (n == 0) {
            return;
        }
        k.launch("unary_backward", ClRange.linear(n), op.ordinal(), alpha, beta, x, y, dy, dx,
                checkedInt(n, "length"));
    }

    static void binary(ClLauncher k, BinaryOp op, int[] shape, Storage a, long aOffset, int[] aStrides, Storage b,
                       long bOffset, int[] bStrides, Storage out) {
        long n = count(shape);
        if (n == 0) {
            return;
        }
        k.launch("binary", ClRange.linear(n), op.ordinal(), shape.length, dims(shape), dims(aStrides),
                dims(bStrides), a, checkedInt(aOffset, "offset"), b, checkedInt(bOffset, "offset"), out,
                checkedInt(n, "length"));
    }
}
