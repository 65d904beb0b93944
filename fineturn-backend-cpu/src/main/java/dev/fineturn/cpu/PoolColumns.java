package dev.fineturn.cpu;

import dev.fineturn.spi.PoolGeometry;

/**
 * The output columns whose pooling windows lie wholly inside the input row: there every lane of
 * a vector sees a full window and the same divisor. Kernels cover [first, end) with vectors, the
 * last one overlapping its predecessor so that no interior column is left over, and do the
 * columns outside one by one.
 */
final class PoolColumns {
    private PoolColumns() {
    }

    /** Whether windows of this stride are loaded as vectors (stride 2 by de-interleaving). */
    static boolean vectorStride(PoolGeometry g) {
        return g.strideW() == 1 || g.strideW() == 2;
    }

    /** The first output column whose window starts inside the input. */
    static int first(PoolGeometry g) {
        return Math.min(g.outW(), (g.padLeft() + g.strideW() - 1) / g.strideW());
    }

    /** One past the last output column whose window ends inside the input row. */
    static int end(PoolGeometry g) {
        int span = g.inW() - g.kernelW() + g.padLeft();
        int end = span < 0 ? 0 : span / g.strideW() + 1;
        return Math.max(first(g), Math.min(g.outW(), end));
    }

    /**
     * Whether the vector loads for output columns [ox, ox + L) stay inside the array. A stride-2
     * load reads one element past its last window, which is in the next row except at the very end.
     */
    static boolean loadable(PoolGeometry g, int length, int lastRowOffset, int ox, int lanes) {
        return g.strideW() == 1
                || lastRowOffset + 2 * (ox + lanes) - g.padLeft() + g.kernelW() - 2 < length;
    }
}
