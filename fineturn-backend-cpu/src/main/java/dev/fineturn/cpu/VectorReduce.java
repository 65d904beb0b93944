package dev.fineturn.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Sum over the axes where the output has size 1. Adjacent axes that are both reduced or both kept
 * merge, so every reduction is one of two shapes: the innermost run is summed (bias gradients over
 * N,H,W; means over H,W; totals) or the innermost run is kept and whole rows are added (row-vector
 * gradients over a batch). Work is split into fixed pieces whose partial sums are combined in a
 * fixed order, so results do not depend on the thread count.
 */
final class VectorReduce {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int CHUNK = 1 << 15;
    private static final int STRIP = 1024;

    private VectorReduce() {
    }

    /** Dimensions of the input after merging, split into kept and reduced groups. */
    private record Axes(int[] keptSizes, int[] keptStrides, int[] reducedSizes, int[] reducedStrides, int inner,
                        boolean innerReduced) {
        long keptCount() {
            return product(keptSizes);
        }

        long reducedCount() {
            return product(reducedSizes);
        }

        private static long product(int[] sizes) {
            long n = 1;
            for (int s : sizes) {
                n *= s;
            }
            return n;
        }
    }

    static void sumReduce(int[] inShape, float[] in, int[] outShape, float[] out) {
        long total = 1;
        long outTotal = 1;
        for (int d = 0; d < inShape.length; d++) {
            total *= inShape[d];
            outTotal *= outShape[d];
        }
        if (total == 0) {
            java.util.Arrays.fill(out, 0, (int) outTotal, 0f);
            return;
        }
        Axes axes = merge(inShape, outShape);
        if (axes == null) {
            System.arraycopy(in, 0, out, 0, (int) total);
        } else if (axes.innerReduced()) {
            sumInnerRuns(axes, in, out);
        } else {
            addRows(axes, in, out);
        }
    }

    /** Merged axes, or null when nothing is reduced. */
    private static Axes merge(int[] inShape, int[] outShape) {
        int rank = inShape.length;
        int[] sizes = new int[rank];
        boolean[] reduced = new boolean[rank];
        int r = 0;
        boolean any = false;
        for (int d = 0; d < rank; d++) {
            if (inShape[d] == 1) {
                continue;
            }
            boolean red = outShape[d] == 1;
            any |= red;
            if (r > 0 && reduced[r - 1] == red) {
                sizes[r - 1] *= inShape[d];
            } else {
                sizes[r] = inShape[d];
                reduced[r] = red;
                r++;
            }
        }
        if (!any) {
            return null;
        }
        int[] strides = new int[r];
        int stride = 1;
        for (int d = r - 1; d >= 0; d--) {
            strides[d] = stride;
            stride *= sizes[d];
        }
        int nKept = 0;
        for (int d = 0; d < r - 1; d++) {
            nKept += reduced[d] ? 0 : 1;
        }
        int[] ks = new int[nKept];
        int[] kst = new int[nKept];
        int[] rs = new int[r - 1 - nKept];
        int[] rst = new int[r - 1 - nKept];
        for (int d = 0, k = 0, j = 0; d < r - 1; d++) {
            if (reduced[d]) {
                rs[j] = sizes[d];
                rst[j++] = strides[d];
            } else {
                ks[k] = sizes[d];
                kst[k++] = strides[d];
            }
        }
        return new Axes(ks, kst, rs, rst, sizes[r - 1], reduced[r - 1]);
    }

    /** Offset of the {@code index}-th combination of {@code sizes} (row-major) in the input. */
    private static int offset(long index, int[] sizes, int[] strides) {
        int off = 0;
        for (int d = sizes.length - 1; d >= 0; d--) {
            off += (int) (index % sizes[d]) * strides[d];
            index /= sizes[d];
        }
        return off;
    }

    /**
     * out[o] = sum over the reduced rows of o of each row's innermost run. Where each output is one piece (a global
     * average pool's 2x2 or 4x4 planes), the threads take runs of outputs of about a piece's size each, not one
     * task per output.
     */
    private static void sumInnerRuns(Axes axes, float[] in, float[] out) {
        int n = axes.inner();
        long outputs = axes.keptCount();
        long rows = axes.reducedCount();
        int piecesPerRow = n >= CHUNK ? (n + CHUNK - 1) / CHUNK : 0;
        int rowsPerPiece = n >= CHUNK ? 1 : Math.max(1, CHUNK / n);
        long pieces = n >= CHUNK ? rows * piecesPerRow : (rows + rowsPerPiece - 1) / rowsPerPiece;
        if (pieces == 1) {
            int perTask = (int) Math.max(1, CHUNK / (rows * n));
            int tasks = (int) ((outputs + perTask - 1) / perTask);
            CpuPool.parallelFor(tasks, task -> {
                for (long o = (long) task * perTask; o < Math.min(outputs, (long) (task + 1) * perTask); o++) {
                    // 0.0 + the piece, as the partials' sum below forms it (a -0.0 piece gives +0.0).
                    out[(int) o] = (float) (0.0 + pieceSum(axes, in, o, 0, piecesPerRow, rowsPerPiece));
                }
            });
            return;
        }
        double[] partial = new double[(int) (outputs * pieces)];
        CpuPool.parallelFor((int) (outputs * pieces), task -> partial[task] = pieceSum(axes, in, task / pieces,
                task % pieces, piecesPerRow, rowsPerPiece));
        for (int o = 0; o < outputs; o++) {
            double sum = 0;
            for (int p = 0; p < pieces; p++) {
                sum += partial[(int) (o * pieces + p)];
            }
            out[o] = (float) sum;
        }
    }

    /** Piece p of output o: a CHUNK of one long row, or a run of whole rows. */
    private static double pieceSum(Axes axes, float[] in, long o, long p, int piecesPerRow, int rowsPerPiece) {
        int n = axes.inner();
        int base = offset(o, axes.keptSizes(), axes.keptStrides());
        if (piecesPerRow > 0) {
            long row = p / piecesPerRow;
            int from = (int) (p % piecesPerRow) * CHUNK;
            return VectorSums.sum(in, base + offset(row, axes.reducedSizes(), axes.reducedStrides()) + from,
                    Math.min(n - from, CHUNK));
        }
        double sum = 0;
        long last = Math.min(axes.reducedCount(), (p + 1) * rowsPerPiece);
        for (long row = p * rowsPerPiece; row < last; row++) {
            sum += VectorSums.sum(in, base + offset(row, axes.reducedSizes(), axes.reducedStrides()), n);
        }
        return sum;
    }

    /** out[o, j] = sum over the reduced rows of o of in[row, j], a strip of columns per task. */
    private static void addRows(Axes axes, float[] in, float[] out) {
        int m = axes.inner();
        long outputs = axes.keptCount();
        long rows = axes.reducedCount();
        int strips = (m + STRIP - 1) / STRIP;
        CpuPool.parallelFor((int) (outputs * strips), task -> {
            long o = task / strips;
            int from = (task % strips) * STRIP;
            int width = Math.min(STRIP, m - from);
            int base = offset(o, axes.keptSizes(), axes.keptStrides()) + from;
            float[] block = new float[width];
            double[] acc = new double[width];
            for (long row = 0; row < rows; row++) {
                addInto(block, in, base + offset(row, axes.reducedSizes(), axes.reducedStrides()), width);
                if ((row + 1) % VectorSums.BLOCK == 0 || row == rows - 1) {
                    for (int j = 0; j < width; j++) {
                        acc[j] += block[j];
                        block[j] = 0f;
                    }
                }
            }
            int dst = (int) (o * m) + from;
            for (int j = 0; j < width; j++) {
                out[dst + j] = (float) acc[j];
            }
        });
    }

    private static void addInto(float[] acc, float[] in, int off, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector.fromArray(S, acc, i).add(FloatVector.fromArray(S, in, off + i)).intoArray(acc, i);
        }
        for (; i < n; i++) {
            acc[i] += in[off + i];
        }
    }
}
