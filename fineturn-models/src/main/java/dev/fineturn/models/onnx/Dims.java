package dev.fineturn.models.onnx;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Static shapes as the importer infers them. A dimension is a size, or {@link #BATCH} (the batch
 * size, unknown until run time) or {@link #UNKNOWN}. Shape arithmetic that the importer folds
 * carries these markers through int64 tensors too, so that {@code x.view(x.size(0), -1)} is
 * recognised as "keep the batch, flatten the rest".
 */
final class Dims {
    // Markers must not collide with sentinels exporters write, such as INT64_MIN + 1 for "to the start".
    static final long BATCH = -(1L << 62) - 0x5EED;
    static final long UNKNOWN = BATCH - 1;

    private Dims() {
    }

    static boolean known(long d) {
        return d >= 0;
    }

    static boolean allKnown(long[] shape) {
        return Arrays.stream(shape).allMatch(Dims::known);
    }

    static boolean isMarker(long v) {
        return v == BATCH || v == UNKNOWN;
    }

    /** Number of elements of a concrete shape; throws on a negative dimension or overflow. */
    static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** Product of dims [from, to): a size, or UNKNOWN when any of them is not known. */
    static long product(long[] shape, int from, int to) {
        long n = 1;
        for (int i = from; i < to; i++) {
            if (!known(shape[i])) {
                return UNKNOWN;
            }
            n = Math.multiplyExact(n, shape[i]);
        }
        return n;
    }

    /** NumPy broadcasting of static shapes; null when two known sizes clash. */
    static long[] broadcast(long[] a, long[] b) {
        int rank = Math.max(a.length, b.length);
        long[] out = new long[rank];
        for (int i = 0; i < rank; i++) {
            long da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            long db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (da == 1 || da == db) {
                out[i] = db;
            } else if (db == 1) {
                out[i] = da;
            } else if (known(da) && known(db)) {
                return null;
            } else {
                out[i] = known(da) ? da : known(db) ? db : da == BATCH && db == BATCH ? BATCH : UNKNOWN;
            }
        }
        return out;
    }

    /** An axis attribute in [-rank, rank) as an index; -1 when out of range. */
    static int axis(long axis, int rank) {
        long a = axis < 0 ? axis + rank : axis;
        return a < 0 || a >= rank ? -1 : (int) a;
    }

    static int[] toInts(long[] shape) {
        return Arrays.stream(shape).mapToInt(Math::toIntExact).toArray();
    }

    static String str(long[] shape) {
        return Arrays.stream(shape).mapToObj(d -> d == BATCH ? "N" : d == UNKNOWN ? "?" : Long.toString(d))
                .collect(Collectors.joining(", ", "[", "]"));
    }
}
