package dev.fineturn.cpu;

import dev.fineturn.reference.ElementwiseKernels;
import dev.fineturn.spi.BinaryOp;
import dev.fineturn.spi.Storage;
import dev.fineturn.spi.UnaryOp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.EnumSet;
import java.util.Set;

import static dev.fineturn.cpu.KernelFixtures.CPU;
import static dev.fineturn.cpu.KernelFixtures.assertClose;
import static dev.fineturn.cpu.KernelFixtures.read;
import static dev.fineturn.cpu.KernelFixtures.signed;
import static dev.fineturn.cpu.KernelFixtures.upload;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Unary, binary, copy and reduction kernels against the reference on shapes large and odd enough
 * to run both the vector loops and their tails, and the broadcast and strided layouts of training.
 */
class CpuElementwiseKernelsTest {
    /** Ops whose vector path uses a vector math library and so may differ in the last bits. */
    private static final Set<UnaryOp> APPROXIMATE = EnumSet.of(UnaryOp.SIGMOID, UnaryOp.TANH, UnaryOp.EXP, UnaryOp.LOG);

    private static float[] unaryInput(UnaryOp op, int n) {
        boolean positive = op == UnaryOp.LOG || op == UnaryOp.SQRT;
        float[] x = KernelFixtures.uniform(n, op.ordinal(), positive ? 0.05f : -8f, 8f);
        if (!positive) {
            float[] special = {0f, -0f, 6f, 3f, -3f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
            for (int i = 0; i < special.length; i++) {
                x[7 * i + 3] = special[i];
            }
        }
        return x;
    }

    @ParameterizedTest
    @EnumSource(UnaryOp.class)
    void unaryForwardAndBackwardMatchReference(UnaryOp op) {
        int n = 1003;
        float alpha = op == UnaryOp.CLIPPED_RELU ? 6f : op == UnaryOp.LEAKY_RELU ? 0.1f : 1f / 6f;
        float beta = op == UnaryOp.AFFINE ? 0.25f : 0.5f;
        float[] x = unaryInput(op, n);
        float[] y = new float[n];
        ElementwiseKernels.unary(op, alpha, beta, x, y, n);
        Storage ys = CPU.allocate(n);
        CPU.unary(op, alpha, beta, upload(x), ys, n);
        if (APPROXIMATE.contains(op)) {
            assertClose(op + " forward", y, read(ys), 1e-5);
        } else {
            assertArrayEquals(y, read(ys), op + " forward");
        }
        float[] dy = signed(n, 99);
        float[] dx = new float[n];
        ElementwiseKernels.unaryBackward(op, alpha, beta, x, y, dy, dx, n);
        Storage dxs = CPU.allocate(n);
        CPU.unaryBackward(op, alpha, beta, upload(x), upload(y), upload(dy), dxs, n);
        assertArrayEquals(dx, read(dxs), op + " backward");
    }

    private record BinaryCase(String name, int[] shape, int[] aShape, int[] bShape) {
    }

    private static final BinaryCase[] BINARY_CASES = {
            new BinaryCase("same shape", new int[]{37, 41}, new int[]{37, 41}, new int[]{37, 41}),
            new BinaryCase("NCHW channel bias", new int[]{4, 6, 9, 11}, new int[]{4, 6, 9, 11}, new int[]{1, 6, 1, 1}),
            new BinaryCase("row vector", new int[]{13, 35}, new int[]{13, 35}, new int[]{1, 35}),
            new BinaryCase("column vector first", new int[]{13, 35}, new int[]{13, 1}, new int[]{13, 35}),
            new BinaryCase("scalar", new int[]{3, 50}, new int[]{3, 50}, new int[]{1, 1}),
            new BinaryCase("outer product", new int[]{4, 5, 19}, new int[]{4, 1, 19}, new int[]{1, 5, 19}),
            new BinaryCase("both broadcast", new int[]{6, 7}, new int[]{6, 1}, new int[]{1, 1}),
            // Rows longer than a task's share: one dense row of 3 x 70001, and rows cut into pieces.
            new BinaryCase("long dense", new int[]{3, 70001}, new int[]{3, 70001}, new int[]{3, 70001}),
            new BinaryCase("long row vector", new int[]{2, 33000}, new int[]{2, 33000}, new int[]{1, 33000}),
            new BinaryCase("long rows, scalar", new int[]{2, 40000}, new int[]{2, 40000}, new int[]{1, 1}),
            new BinaryCase("long rows, column first", new int[]{3, 40000}, new int[]{3, 1}, new int[]{3, 40000}),
    };

    @ParameterizedTest
    @EnumSource(BinaryOp.class)
    void binaryBroadcastsMatchReferenceExactly(BinaryOp op) {
        for (BinaryCase c : BINARY_CASES) {
            float[] a = signed(numel(c.aShape()), 1);
            float[] b = KernelFixtures.uniform(numel(c.bShape()), 2, 0.5f, 2f);
            int[] as = broadcastStrides(c.aShape());
            int[] bs = broadcastStrides(c.bShape());
            float[] expected = new float[numel(c.shape())];
            ElementwiseKernels.binary(op, c.shape(), a, 0, as, b, 0, bs, expected);
            Storage out = CPU.allocate(expected.length);
            CPU.binary(op, c.shape(), upload(a), 0, as, upload(b), 0, bs, out);
            assertArrayEquals(expected, read(out), op + " " + c.name());
        }
    }

    @Test
    void binaryReadsTransposedViewsAndMayWriteIntoAnOperand() {
        int[] shape = {23, 29};
        float[] a = signed(23 * 29 + 3, 3);
        float[] b = signed(29 * 23, 4);
        int[] transposed = {1, 23};
        float[] expected = new float[23 * 29];
        ElementwiseKernels.binary(BinaryOp.SUB, shape, a, 3, new int[]{29, 1}, b, 0, transposed, expected);
        Storage out = CPU.allocate(expected.length);
        CPU.binary(BinaryOp.SUB, shape, upload(a), 3, new int[]{29, 1}, upload(b), 0, transposed, out);
        assertArrayEquals(expected, read(out));

        float[] acc = signed(23 * 29, 5);
        float[] g = signed(23 * 29, 6);
        float[] sum = new float[acc.length];
        ElementwiseKernels.binary(BinaryOp.ADD, shape, acc, 0, new int[]{29, 1}, g, 0, new int[]{29, 1}, sum);
        Storage accS = upload(acc);
        CPU.binary(BinaryOp.ADD, shape, accS, 0, new int[]{29, 1}, upload(g), 0, new int[]{29, 1}, accS);
        assertArrayEquals(sum, read(accS), "accumulating in place");
    }

    private record CopyCase(String name, int[] shape, int srcOffset, int[] srcStrides, int dstLength, int dstOffset,
                            int[] dstStrides) {
    }

    @Test
    void stridedCopiesMatchReferenceExactly() {
        CopyCase[] cases = {
                new CopyCase("permute 2,0,1", new int[]{41, 5, 37}, 0, new int[]{1, 41 * 37, 41}, 5 * 37 * 41, 0,
                        new int[]{5 * 37, 37, 1}),
                new CopyCase("NCHW to NHWC", new int[]{2, 9, 11, 6}, 0, new int[]{594, 11, 1, 99}, 1188, 0,
                        new int[]{594, 66, 6, 1}),
                new CopyCase("2-D transpose", new int[]{70, 90}, 0, new int[]{1, 70}, 6300, 0, new int[]{90, 1}),
                new CopyCase("slice", new int[]{3, 4, 19}, 21, new int[]{8 * 19, 19, 1}, 3 * 4 * 19, 0,
                        new int[]{76, 19, 1}),
                new CopyCase("slice with step", new int[]{5, 17}, 1, new int[]{2 * 35, 2}, 85, 0, new int[]{17, 1}),
                new CopyCase("expand", new int[]{6, 4, 33}, 0, new int[]{33, 0, 1}, 6 * 4 * 33, 0,
                        new int[]{132, 33, 1}),
                new CopyCase("expand last", new int[]{9, 40}, 0, new int[]{1, 0}, 360, 0, new int[]{40, 1}),
                new CopyCase("into padded interior", new int[]{2, 3, 8, 9}, 0, new int[]{216, 72, 9, 1},
                        2 * 3 * 11 * 12, 13, new int[]{396, 132, 12, 1}),
                new CopyCase("into a transposed view", new int[]{15, 27}, 0, new int[]{27, 1}, 405, 0,
                        new int[]{1, 15}),
        };
        for (CopyCase c : cases) {
            float[] src = signed(1 + maxOffset(c.shape(), c.srcOffset(), c.srcStrides()), 7);
            float[] expected = signed(c.dstLength(), 8);
            Storage dst = upload(expected.clone());
            ElementwiseKernels.copyStrided(c.shape(), src, c.srcOffset(), c.srcStrides(), expected, c.dstOffset(),
                    c.dstStrides());
            CPU.copyStrided(c.shape(), upload(src), c.srcOffset(), c.srcStrides(), dst, c.dstOffset(), c.dstStrides());
            assertArrayEquals(expected, read(dst), c.name());
        }
    }

    @Test
    void sumReductionsMatchReference() {
        int[][][] cases = {
                {{8, 16, 9, 11}, {1, 16, 1, 1}},
                {{8, 16, 9, 11}, {8, 16, 1, 1}},
                {{8, 16, 9, 11}, {1, 1, 1, 1}},
                {{1, 200_003}, {1, 1}},
                {{3, 70_001}, {3, 1}},
                {{64, 300}, {1, 300}},
                {{5_000, 3}, {1, 3}},
                {{1, 3000}, {1, 3000}},
                {{4, 5, 3}, {4, 1, 3}},
                {{2, 3, 4, 5}, {2, 1, 4, 1}},
                {{6, 1, 7}, {1, 1, 7}},
                // global average pools of small maps: runs of outputs per task, the last run short
                {{32, 512, 2, 2}, {32, 512, 1, 1}},
                {{7, 3000, 2, 2}, {7, 3000, 1, 1}},
        };
        for (int[][] c : cases) {
            int[] in = c[0];
            int[] out = c[1];
            float[] x = KernelFixtures.uniform(numel(in), 11, -1f, 1.5f);
            float[] expected = new float[numel(out)];
            ElementwiseKernels.sumReduce(in, x, out, expected);
            Storage o = CPU.allocate(expected.length);
            CPU.sumReduce(in, upload(x), out, o);
            assertClose(java.util.Arrays.toString(in) + " -> " + java.util.Arrays.toString(out), expected, read(o),
                    1e-5);
        }
    }

    private static int numel(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    private static int[] broadcastStrides(int[] shape) {
        int[] s = new int[shape.length];
        int stride = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = shape[i] == 1 ? 0 : stride;
            stride *= shape[i];
        }
        return s;
    }

    private static int maxOffset(int[] shape, int offset, int[] strides) {
        int max = offset;
        for (int i = 0; i < shape.length; i++) {
            max += (shape[i] - 1) * strides[i];
        }
        return max;
    }
}
