package dev.fineturn.cpu;

import dev.fineturn.spi.PoolGeometry;

/**
 * A pooling plane copied into rows padded with -infinity on both sides, so that every output column's window lies
 * inside its row. Used where the plane has fewer columns with whole windows than a vector has lanes, which would
 * leave the whole row to the one-column-at-a-time path.
 */
final class PaddedPlane {
    private static final ThreadLocal<float[]> BUFFER = ThreadLocal.withInitial(() -> new float[0]);

    private PaddedPlane() {
    }

    /** Whether a plane of {@code g} needs padding for its rows to be covered by vectors of {@code lanes}. */
    static boolean wanted(PoolGeometry g, int lanes) {
        return PoolColumns.vectorStride(g) && g.outW() >= lanes
                && PoolColumns.end(g) - PoolColumns.first(g) < lanes;
    }

    /** Floats per padded row: the left padding, the input row, and every window of the last column. */
    static int rowWidth(PoolGeometry g) {
        return Math.max(g.padLeft() + g.inW(), (g.outW() - 1) * g.strideW() + g.kernelW());
    }

    /**
     * The plane at {@code x[offset]} in the calling thread's buffer, rows {@link #rowWidth} apart, with room after
     * the last row for a stride-2 load's two vectors.
     */
    static float[] copy(PoolGeometry g, int lanes, float[] x, int offset) {
        int rowW = rowWidth(g);
        int size = g.inH() * rowW + 2 * lanes;
        float[] p = BUFFER.get();
        if (p.length < size) {
            p = new float[size];
            BUFFER.set(p);
        }
        java.util.Arrays.fill(p, 0, size, Float.NEGATIVE_INFINITY);
        for (int iy = 0; iy < g.inH(); iy++) {
            System.arraycopy(x, offset + iy * g.inW(), p, iy * rowW + g.padLeft(), g.inW());
        }
        return p;
    }
}
