package dev.fineturn.cpu;

import dev.fineturn.spi.ConvGeometry;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorSpecies;

import static dev.fineturn.cpu.Deinterleave.EVENS;
import static dev.fineturn.cpu.Deinterleave.UPPER_HALF;

/**
 * The depthwise 3x3 forward straight from NCHW, where an output plane is a whole number of vectors or a vector a
 * whole number of planes (every map of a power-of-two input): each output vector is nine loads (stride 1 with
 * "same" padding, where a tap is a shifted run of the input), nine pairs of loads joined by a shuffle (stride 2
 * onto rows of half a vector or more) or nine gathers (the rest), each ANDed with the tap's lane mask, and nine FMAs; the
 * fused epilogue follows while the outputs are in L1. A vector that holds several planes (the 2x2 and 1x1 maps)
 * multiplies each lane by its own channel's weights. The threads take blocks of channels and run every image
 * through them, four images at a time so that independent sums share each tap's mask and weights. No padded copy of a plane is made: on MobileNetV2's small maps, copying and
 * zeroing each plane cost more than its nine FMAs. The sums are formed in {@link Depthwise3x3}'s order, tap 0
 * first.
 */
final class DepthwiseLanes {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    @SuppressWarnings("unchecked")
    private static final VectorSpecies<Integer> I = (VectorSpecies<Integer>) S.withLanes(int.class);
    private static final int L = S.length();
    private static final ThreadLocal<float[]> LANE_WEIGHTS = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<Table> LAST = new ThreadLocal<>();

    private DepthwiseLanes() {
    }

    /** 3x3 depthwise at stride 1 or 2 with output planes of a multiple of the vector length, or dividing it. */
    static boolean applies(ConvGeometry g) {
        int ohw = g.outH() * g.outW();
        return Depthwise3x3.applies(g) && g.inChannels() == g.groups() && g.outChannels() == g.groups()
                && ohw > 0 && (ohw % L == 0 || L % ohw == 0)
                && (long) g.batch() * g.inChannels() * g.inH() * g.inW() < Integer.MAX_VALUE;
    }

    /**
     * Per vector position q in a plane (or the one position of a vector of planes) and tap t, m = q * 9 + t: lane
     * i reads input {@code index[m * L + i]} counted from the vector's first input plane, or nothing where
     * {@code lanes[m * L + i]} is 0 (the padding). Step 1: every tap reads a run from {@code starts[m]}. Step 2:
     * the low half of the lanes reads every other float from {@code starts[m]}, the high half from
     * {@code highStarts[m]} (a row of 2 * L outputs, or two rows of L / 2). Step 0: neither. Every load of L floats
     * from a start lies within [{@code lowest}, {@code highest} + L).
     */
    private record Table(Key key, int positions, int planes, int step, int[] lanes, int[] starts, int[] highStarts,
                         int[] index, int lowest, int highest) {
    }

    private record Key(int inH, int inW, int outH, int outW, int strideH, int strideW, int padTop, int padLeft,
                       int dilationH, int dilationW) {
    }

    private static Table table(ConvGeometry g) {
        Key key = new Key(g.inH(), g.inW(), g.outH(), g.outW(), g.strideH(), g.strideW(), g.padTop(), g.padLeft(),
                g.dilationH(), g.dilationW());
        Table t = LAST.get();
        if (t == null || !t.key.equals(key)) {
            t = build(key);
            LAST.set(t);
        }
        return t;
    }

    private static Table build(Key k) {
        int ohw = k.outH * k.outW;
        int ihw = k.inH * k.inW;
        int positions = Math.max(1, ohw / L);
        int[] lanes = new int[positions * 9 * L];
        int[] index = new int[positions * 9 * L];
        // Runs of consecutive floats over the whole vector, and of every other float from each half's own start.
        int[] starts = new int[positions * 9];
        int[] evenLow = new int[positions * 9];
        int[] evenHigh = new int[positions * 9];
        boolean shifted = true;
        boolean evens = true;
        for (int m = 0; m < positions * 9; m++) {
            int q = m / 9;
            int t = m % 9;
            boolean first = true;
            boolean firstLow = true;
            boolean firstHigh = true;
            for (int i = 0; i < L; i++) {
                int o = q * L + i;
                int oy = o % ohw / k.outW;
                int ox = o % k.outW;
                int iy = oy * k.strideH - k.padTop + t / 3 * k.dilationH;
                int ix = ox * k.strideW - k.padLeft + t % 3 * k.dilationW;
                if (iy < 0 || iy >= k.inH || ix < 0 || ix >= k.inW) {
                    continue;
                }
                int at = o / ohw * ihw + iy * k.inW + ix;
                lanes[m * L + i] = -1;
                index[m * L + i] = at;
                if (first) {
                    starts[m] = at - i;
                    first = false;
                }
                shifted &= at == starts[m] + i;
                int[] half = i < L / 2 ? evenLow : evenHigh;
                int lane = i % (L / 2);
                if (i < L / 2 ? firstLow : firstHigh) {
                    half[m] = at - 2 * lane;
                    firstLow &= i >= L / 2;
                    firstHigh &= i < L / 2;
                }
                evens &= at == half[m] + 2 * lane;
            }
        }
        int step = shifted ? 1 : evens ? 2 : 0;
        int lowest = 0;
        int highest = 0;
        for (int m = 0; step > 0 && m < positions * 9; m++) {
            int a = step == 1 ? starts[m] : evenLow[m];
            int b = step == 1 ? starts[m] : evenHigh[m];
            lowest = Math.min(lowest, Math.min(a, b));
            highest = Math.max(highest, Math.max(a, b));
        }
        return new Table(k, positions, Math.max(1, L / ohw), step, lanes, step == 2 ? evenLow : starts, evenHigh,
                index, lowest, highest);
    }

    /** y = depthwise(x, w), then {@code epilogue} (null: none) on every output. */
    static void forward(ConvGeometry g, float[] x, float[] w, float[] y, ConvEpilogueKernel epilogue) {
        Table t = table(g);
        int channels = g.inChannels();
        int groups = channels / t.planes;
        if (groups > 0) {
            int blocks = Math.min(groups, Math.max(4 * CpuPool.threads(), groups / 16));
            CpuPool.parallelFor(blocks, blk -> block(g, t, groups * blk / blocks, groups * (blk + 1) / blocks, x, w, y,
                    epilogue));
        }
        int ohw = g.outH() * g.outW();
        int rest = channels - groups * t.planes;
        // Channels past the last whole vector of planes (a channel count the planes per vector do not divide).
        if (rest > 0) {
            CpuPool.parallelFor(g.batch() * rest, i -> {
                int plane = i / rest * channels + groups * t.planes + i % rest;
                Depthwise3x3.forward(g, plane, x, w, y);
                if (epilogue != null) {
                    epilogue.apply(y, plane * ohw, y, plane * ohw, ohw, plane % channels);
                }
            });
        }
    }

    /**
     * Channel groups g0 .. g1 - 1 of every image, four images at a time, group after group. Group by group, each
     * through the whole batch, the images' planes lie a power of two apart and fell into the same few L1 sets.
     */
    private static void block(ConvGeometry g, Table t, int g0, int g1, float[] x, float[] w, float[] y,
                              ConvEpilogueKernel epilogue) {
        int ohw = g.outH() * g.outW();
        float[] lw = VectorConv.grown(LANE_WEIGHTS, (g1 - g0) * 10 * L);
        float[] bias = epilogue == null ? null : epilogue.bias();
        for (int grp = g0; grp < g1; grp++) {
            int base = (grp - g0) * 10 * L;
            for (int i = 0; i < L; i++) {
                int c = grp * t.planes + (t.planes > 1 ? i / ohw : 0);
                for (int tap = 0; tap < 9; tap++) {
                    lw[base + tap * L + i] = w[c * 9 + tap];
                }
                lw[base + 9 * L + i] = bias == null ? 0f : bias[c];
            }
        }
        int ihw = g.inH() * g.inW();
        int xStep = g.inChannels() * ihw;
        int yStep = g.outChannels() * ohw;
        int xGroup = t.planes * ihw;
        int yGroup = t.planes * ohw;
        float[] residual = epilogue == null ? null : epilogue.residual();
        boolean fused = epilogue != null;
        float hi = ConvEpilogueKernel.upper(epilogue);
        float lo = ConvEpilogueKernel.lower(epilogue);
        int count = g1 - g0;
        int n = 0;
        for (; n + 4 <= g.batch(); n += 4) {
            int xb = n * xStep + g0 * xGroup;
            int yb = n * yStep + g0 * yGroup;
            int xLast = xb + (count - 1) * xGroup + 3 * xStep;
            boolean inside = xb + t.lowest >= 0 && xLast + t.highest + L <= x.length;
            if (t.step == 1 && inside) {
                shiftedQuad(t, count, x, xb, xStep, xGroup, lw, y, yb, yStep, yGroup);
            } else if (t.step == 2 && inside) {
                evenPair(t, count, x, xb, xStep, xGroup, lw, y, yb, yStep, yGroup);
                evenPair(t, count, x, xb + 2 * xStep, xStep, xGroup, lw, y, yb + 2 * yStep, yStep, yGroup);
            } else {
                gatheredPair(t, count, x, xb, xStep, xGroup, lw, y, yb, yStep, yGroup);
                gatheredPair(t, count, x, xb + 2 * xStep, xStep, xGroup, lw, y, yb + 2 * yStep, yStep, yGroup);
            }
            for (int k = 0; fused && k < 4; k++) {
                finish(t, count, y, yb + k * yStep, yGroup, lw, residual, lo, hi);
            }
        }
        for (; n < g.batch(); n++) {
            int xb = n * xStep + g0 * xGroup;
            int yb = n * yStep + g0 * yGroup;
            int xLast = xb + (count - 1) * xGroup;
            boolean shifted = t.step == 1 && xb + t.lowest >= 0 && xLast + t.highest + L <= x.length;
            one(t, count, shifted, x, xb, xGroup, lw, y, yb, yGroup);
            if (fused) {
                finish(t, count, y, yb, yGroup, lw, residual, lo, hi);
            }
        }
    }

    /**
     * {@code count} channel groups, {@code xGroup} and {@code yGroup} apart, of four images, {@code xStep} and
     * {@code yStep} apart, every tap a run of x: four independent sums share each tap's mask and weights. One
     * image at a time, each output waited on its chain of nine dependent FMAs (a loop of this shape alone: 10-12
     * against 6-7 ns per output vector on Zen 5).
     */
    private static void shiftedQuad(Table t, int count, float[] x, int xb, int xStep, int xGroup, float[] lw,
                                    float[] y, int yb, int yStep, int yGroup) {
        int[] lanes = t.lanes;
        int[] starts = t.starts;
        int positions = t.positions;
        for (int gi = 0, lwb = 0; gi < count; gi++, xb += xGroup, yb += yGroup, lwb += 10 * L) {
            for (int q = 0, m = 0; q < positions; q++, m += 9) {
                IntVector mask = IntVector.fromArray(I, lanes, m * L);
                FloatVector w = FloatVector.fromArray(S, lw, lwb);
                int o = xb + starts[m];
                FloatVector a0 = masked(FloatVector.fromArray(S, x, o), mask).mul(w);
                FloatVector a1 = masked(FloatVector.fromArray(S, x, o + xStep), mask).mul(w);
                FloatVector a2 = masked(FloatVector.fromArray(S, x, o + 2 * xStep), mask).mul(w);
                FloatVector a3 = masked(FloatVector.fromArray(S, x, o + 3 * xStep), mask).mul(w);
                for (int tap = 1; tap < 9; tap++) {
                    mask = IntVector.fromArray(I, lanes, (m + tap) * L);
                    w = FloatVector.fromArray(S, lw, lwb + tap * L);
                    o = xb + starts[m + tap];
                    a0 = masked(FloatVector.fromArray(S, x, o), mask).fma(w, a0);
                    a1 = masked(FloatVector.fromArray(S, x, o + xStep), mask).fma(w, a1);
                    a2 = masked(FloatVector.fromArray(S, x, o + 2 * xStep), mask).fma(w, a2);
                    a3 = masked(FloatVector.fromArray(S, x, o + 3 * xStep), mask).fma(w, a3);
                }
                int at = yb + q * L;
                a0.intoArray(y, at);
                a1.intoArray(y, at + yStep);
                a2.intoArray(y, at + 2 * yStep);
                a3.intoArray(y, at + 3 * yStep);
            }
        }
    }

    /**
     * {@link #shiftedQuad} with every tap gathered (strided layers, other padding, the array's ends), two images at
     * a time: with four, the gathers' index checks pushed C2 past its node budget, and the lane masks became calls
     * on boxed vectors.
     */
    private static void gatheredPair(Table t, int count, float[] x, int xb, int xStep, int xGroup, float[] lw,
                                     float[] y, int yb, int yStep, int yGroup) {
        int[] lanes = t.lanes;
        int[] index = t.index;
        int positions = t.positions;
        for (int gi = 0, lwb = 0; gi < count; gi++, xb += xGroup, yb += yGroup, lwb += 10 * L) {
            for (int q = 0, im = 0; q < positions; q++) {
                IntVector mask = IntVector.fromArray(I, lanes, im);
                FloatVector w = FloatVector.fromArray(S, lw, lwb);
                FloatVector a0 = FloatVector.fromArray(S, x, xb, index, im).reinterpretAsInts().and(mask)
                        .reinterpretAsFloats().mul(w);
                FloatVector a1 = FloatVector.fromArray(S, x, xb + xStep, index, im).reinterpretAsInts().and(mask)
                        .reinterpretAsFloats().mul(w);
                for (int tap = 1; tap < 9; tap++) {
                    im += L;
                    mask = IntVector.fromArray(I, lanes, im);
                    w = FloatVector.fromArray(S, lw, lwb + tap * L);
                    a0 = FloatVector.fromArray(S, x, xb, index, im).reinterpretAsInts().and(mask)
                            .reinterpretAsFloats().fma(w, a0);
                    a1 = FloatVector.fromArray(S, x, xb + xStep, index, im).reinterpretAsInts().and(mask)
                            .reinterpretAsFloats().fma(w, a1);
                }
                im += L;
                int at = yb + q * L;
                a0.intoArray(y, at);
                a1.intoArray(y, at + yStep);
            }
        }
    }

    /**
     * {@link #gatheredPair} where each half of a tap's lanes reads every other float of a run (stride 2 onto
     * output rows of at least half a vector): two loads, their even floats joined by a shuffle, instead of a
     * gather.
     */
    private static void evenPair(Table t, int count, float[] x, int xb, int xStep, int xGroup, float[] lw,
                                 float[] y, int yb, int yStep, int yGroup) {
        int[] lanes = t.lanes;
        int[] starts = t.starts;
        int[] highStarts = t.highStarts;
        int positions = t.positions;
        for (int gi = 0, lwb = 0; gi < count; gi++, xb += xGroup, yb += yGroup, lwb += 10 * L) {
            for (int q = 0, m = 0; q < positions; q++, m += 9) {
                FloatVector a0 = FloatVector.zero(S);
                FloatVector a1 = FloatVector.zero(S);
                for (int tap = 0; tap < 9; tap++) {
                    IntVector mask = IntVector.fromArray(I, lanes, (m + tap) * L);
                    FloatVector w = FloatVector.fromArray(S, lw, lwb + tap * L);
                    int o = xb + starts[m + tap];
                    int h = xb + highStarts[m + tap];
                    FloatVector v0 = FloatVector.fromArray(S, x, o).rearrange(EVENS)
                            .blend(FloatVector.fromArray(S, x, h).rearrange(EVENS), UPPER_HALF)
                            .reinterpretAsInts().and(mask).reinterpretAsFloats();
                    FloatVector v1 = FloatVector.fromArray(S, x, o + xStep).rearrange(EVENS)
                            .blend(FloatVector.fromArray(S, x, h + xStep).rearrange(EVENS), UPPER_HALF)
                            .reinterpretAsInts().and(mask).reinterpretAsFloats();
                    a0 = tap == 0 ? v0.mul(w) : v0.fma(w, a0);
                    a1 = tap == 0 ? v1.mul(w) : v1.fma(w, a1);
                }
                int at = yb + q * L;
                a0.intoArray(y, at);
                a1.intoArray(y, at + yStep);
            }
        }
    }

    /** One image (past the batch's whole quads): taps as runs where {@code shifted}, else gathered. */
    private static void one(Table t, int count, boolean shifted, float[] x, int xb, int xGroup, float[] lw, float[] y,
                            int yb, int yGroup) {
        int[] lanes = t.lanes;
        for (int gi = 0, lwb = 0; gi < count; gi++, xb += xGroup, yb += yGroup, lwb += 10 * L) {
            for (int q = 0, m = 0; q < t.positions; q++, m += 9) {
                FloatVector acc = FloatVector.zero(S);
                for (int tap = 0; tap < 9; tap++) {
                    int im = (m + tap) * L;
                    FloatVector v = shifted ? FloatVector.fromArray(S, x, xb + t.starts[m + tap])
                            : FloatVector.fromArray(S, x, xb, t.index, im);
                    v = masked(v, IntVector.fromArray(I, lanes, im));
                    FloatVector w = FloatVector.fromArray(S, lw, lwb + tap * L);
                    acc = tap == 0 ? v.mul(w) : v.fma(w, acc);
                }
                acc.intoArray(y, yb + q * L);
            }
        }
    }

    /** v where the mask's lanes are set, +0 elsewhere. */
    private static FloatVector masked(FloatVector v, IntVector mask) {
        return v.reinterpretAsInts().and(mask).reinterpretAsFloats();
    }

    /**
     * act(y + bias + residual) over one image's {@code count} channel groups from {@code yb}, while they are in L1:
     * a pass of its own, as inside the sums' methods it pushed C2 past its node budget, which then left the
     * epilogue a call per vector with boxed vectors.
     */
    private static void finish(Table t, int count, float[] y, int yb, int yGroup, float[] lw, float[] residual,
                               float lo, float hi) {
        int run = t.positions * L;
        for (int gi = 0, lwb = 9 * L; gi < count; gi++, yb += yGroup, lwb += 10 * L) {
            FloatVector bias = FloatVector.fromArray(S, lw, lwb);
            for (int i = yb; i < yb + run; i += L) {
                FloatVector v = FloatVector.fromArray(S, y, i).add(bias);
                if (residual != null) {
                    v = v.add(FloatVector.fromArray(S, residual, i));
                }
                v.max(lo).min(hi).intoArray(y, i);
            }
        }
    }
}
