package dev.fineturn.models.onnx;

import dev.fineturn.io.WeightFormatException;

import java.util.Arrays;

/**
 * Parameters and output shapes of the shape-changing operators, shared by constant folding (on
 * concrete shapes) and by the run-time import (on static shapes with markers).
 */
final class ShapeRules {
    private ShapeRules() {
    }

    /** Slice's starts, ends, axes and steps: attributes before opset 10, constant inputs since. */
    record SliceSpec(long[] starts, long[] ends, int[] axes, long[] steps) {
    }

    static SliceSpec slice(OpContext c, int rank) throws WeightFormatException {
        long[] starts;
        long[] ends;
        long[] axes;
        long[] steps = null;
        if (c.opset < 10) {
            starts = c.attrs.ints("starts");
            ends = c.attrs.ints("ends");
            axes = c.attrs.ints("axes");
            if (starts == null || ends == null) {
                throw c.invalid("needs starts and ends");
            }
        } else {
            starts = c.ints(1, "starts");
            ends = c.ints(2, "ends");
            axes = c.has(3) ? c.ints(3, "axes") : null;
            steps = c.has(4) ? c.ints(4, "steps") : null;
        }
        int n = starts.length;
        if (ends.length != n || axes != null && axes.length != n || steps != null && steps.length != n) {
            throw c.invalid("starts, ends, axes and steps differ in length");
        }
        int[] ax = new int[n];
        for (int i = 0; i < n; i++) {
            ax[i] = axes == null ? i : Dims.axis(axes[i], rank);
            if (ax[i] < 0) {
                throw c.invalid("axis " + axes[i] + " is out of range for rank " + rank);
            }
            for (int j = 0; j < i; j++) {
                if (ax[j] == ax[i]) {
                    throw c.invalid("axis " + ax[i] + " is sliced twice");
                }
            }
        }
        if (steps == null) {
            steps = new long[n];
            Arrays.fill(steps, 1);
        }
        for (long s : steps) {
            if (s == 0) {
                throw c.invalid("a step is 0");
            }
        }
        return new SliceSpec(starts, ends, ax, steps);
    }

    /** {start, count} of a slice of a dimension of size {@code dim} (ONNX clamping rules). */
    static long[] sliceRange(long start, long end, long step, long dim) {
        if (start < 0) {
            start += dim;
        }
        if (end < 0) {
            end += dim;
        }
        long count;
        if (step > 0) {
            start = Math.clamp(start, 0, dim);
            end = Math.clamp(end, 0, dim);
            count = end > start ? (end - start + step - 1) / step : 0;
        } else {
            start = Math.clamp(start, 0, dim - 1);
            end = Math.clamp(end, -1, dim - 1);
            count = start > end ? (start - end - step - 1) / -step : 0;
        }
        return new long[]{start, count};
    }

    /** Unsqueeze/Squeeze axes: an attribute before opset 13, an optional constant input since. */
    static long[] axes(OpContext c) throws WeightFormatException {
        if (c.opset < 13) {
            return c.attrs.ints("axes");
        }
        return c.has(1) ? c.ints(1, "axes") : null;
    }

    /** Which output axes Unsqueeze inserts. */
    static boolean[] inserted(OpContext c, int inRank, long[] axes) throws WeightFormatException {
        if (axes == null) {
            throw c.invalid("needs axes");
        }
        int rank = inRank + axes.length;
        boolean[] inserted = new boolean[rank];
        for (long a : axes) {
            int d = Dims.axis(a, rank);
            if (d < 0 || inserted[d]) {
                throw c.invalid("axes " + Arrays.toString(axes) + " are invalid for output rank " + rank);
            }
            inserted[d] = true;
        }
        return inserted;
    }

    static long[] unsqueeze(long[] in, boolean[] inserted) {
        long[] out = new long[inserted.length];
        for (int i = 0, j = 0; i < out.length; i++) {
            out[i] = inserted[i] ? 1 : in[j++];
        }
        return out;
    }

    /** Which input axes Squeeze removes: the listed ones, or every static size-1 axis. */
    static boolean[] dropped(OpContext c, long[] in, long[] axes) throws WeightFormatException {
        boolean[] drop = new boolean[in.length];
        if (axes == null) {
            for (int i = 0; i < in.length; i++) {
                if (!Dims.known(in[i])) {
                    throw c.unsupported("squeezing every size-1 dimension needs a static shape, got "
                            + Dims.str(in));
                }
                drop[i] = in[i] == 1;
            }
            return drop;
        }
        for (long a : axes) {
            int d = Dims.axis(a, in.length);
            if (d < 0) {
                throw c.invalid("axis " + a + " is out of range for rank " + in.length);
            }
            if (Dims.known(in[d]) && in[d] != 1) {
                throw c.invalid("cannot squeeze dimension " + d + " of size " + in[d]);
            }
            drop[d] = true;
        }
        return drop;
    }

    static long[] squeeze(long[] in, boolean[] drop) {
        return java.util.stream.IntStream.range(0, in.length).filter(i -> !drop[i]).mapToLong(i -> in[i]).toArray();
    }

    static int[] perm(OpContext c, int rank) throws WeightFormatException {
        long[] p = c.attrs.ints("perm");
        int[] out = new int[rank];
        boolean[] seen = new boolean[rank];
        for (int i = 0; i < rank; i++) {
            long d = p == null ? rank - 1 - i : i < p.length ? p[i] : -1;
            if (p != null && p.length != rank || d < 0 || d >= rank || seen[(int) d]) {
                throw c.invalid("perm " + Arrays.toString(p) + " is not a permutation of " + rank + " axes");
            }
            seen[(int) d] = true;
            out[i] = (int) d;
        }
        return out;
    }

    /** Flatten's output: [prod(dims before axis), prod(dims from axis)]. */
    static long[] flatten(OpContext c, long[] in) throws WeightFormatException {
        long a = c.attrs.i("axis", 1);
        int axis = (int) (a < 0 ? a + in.length : a);
        if (a < -in.length || a > in.length) {
            throw c.invalid("axis " + a + " is out of range for rank " + in.length);
        }
        long outer = axis >= 1 && in[0] == Dims.BATCH && Dims.product(in, 1, axis) == 1 ? Dims.BATCH
                : Dims.product(in, 0, axis);
        return new long[]{outer, Dims.product(in, axis, in.length)};
    }

    static int flattenAxis(OpContext c, int rank) throws WeightFormatException {
        long a = c.attrs.i("axis", 1);
        return (int) (a < 0 ? a + rank : a);
    }

    /**
     * Reshape's output shape for {@code in} and the folded target: 0 copies the input dimension
     * (unless allowzero), -1 is inferred, a batch marker keeps the batch.
     */
    static long[] reshape(OpContext c, long[] in, long[] target, boolean allowZero) throws WeightFormatException {
        long[] out = new long[target.length];
        int infer = -1;
        for (int i = 0; i < target.length; i++) {
            long t = target[i];
            if (t == -1) {
                if (infer >= 0) {
                    throw c.invalid("shape " + Dims.str(target) + " has more than one -1");
                }
                infer = i;
                out[i] = Dims.UNKNOWN;
            } else if (t == 0 && !allowZero) {
                if (i >= in.length) {
                    throw c.invalid("shape " + Dims.str(target) + " copies dimension " + i + " of a rank "
                            + in.length + " input");
                }
                out[i] = in[i];
            } else if (t >= 0 || t == Dims.BATCH) {
                out[i] = t;
            } else if (t == Dims.UNKNOWN) {
                throw c.unsupported("the target shape depends on an unknown dimension: " + Dims.str(target));
            } else {
                throw c.invalid("shape " + Dims.str(target) + " has a negative size");
            }
        }
        if (infer >= 0) {
            // When both shapes lead with the batch, it cancels out of the element count.
            boolean batch = in.length > 0 && in[0] == Dims.BATCH && out.length > 0 && out[0] == Dims.BATCH;
            int from = batch ? 1 : 0;
            long total = Dims.product(in, from, in.length);
            long rest = 1;
            for (int i = from; i < out.length && rest != Dims.UNKNOWN; i++) {
                if (i != infer) {
                    rest = Dims.known(out[i]) ? Math.multiplyExact(rest, out[i]) : Dims.UNKNOWN;
                }
            }
            if (total != Dims.UNKNOWN && rest != Dims.UNKNOWN) {
                if (rest == 0 || total % rest != 0) {
                    throw c.invalid("cannot reshape " + Dims.str(in) + " to " + Dims.str(target));
                }
                out[infer] = total / rest;
            } else if (infer == 0 && in.length > 0 && in[0] == Dims.BATCH && rest != Dims.UNKNOWN
                    && rest == Dims.product(in, 1, in.length)) {
                out[0] = Dims.BATCH;
            }
        } else if (Dims.allKnown(in) && Dims.allKnown(out) && Dims.numel(in) != Dims.numel(out)) {
            throw c.invalid("cannot reshape " + Dims.str(in) + " to " + Dims.str(target));
        }
        return out;
    }

    /** Conv/pool output size along one axis, or UNKNOWN; ceil mode follows PyTorch's rule. */
    static long pooledSize(long in, long kernel, long stride, long padBegin, long padEnd, long dilation, boolean ceil) {
        if (!Dims.known(in)) {
            return Dims.UNKNOWN;
        }
        long span = in + padBegin + padEnd - ((kernel - 1) * dilation + 1);
        if (span < 0) {
            return -1;
        }
        long out = (ceil ? (span + stride - 1) / stride : span / stride) + 1;
        if (ceil && (out - 1) * stride >= in + padBegin) {
            out--;
        }
        return out;
    }

    /** SAME padding {begin, end} for one axis: output ceil(in / stride), the odd pixel at the end (upper) or start. */
    static long[] samePads(long in, long kernel, long stride, long dilation, boolean upper) {
        long out = (in + stride - 1) / stride;
        long total = Math.max((out - 1) * stride + (kernel - 1) * dilation + 1 - in, 0);
        long small = total / 2;
        return upper ? new long[]{small, total - small} : new long[]{total - small, small};
    }
}
