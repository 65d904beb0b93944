package dev.fineturn.models.onnx;

import dev.fineturn.io.WeightFormatException;
import dev.fineturn.ops.ShapeOps;
import dev.fineturn.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/** Index lists for Gather and negative-step Slice: checked at load time, applied as slices and a concat. */
final class Indexing {
    private Indexing() {
    }

    /** Indices with negative ones counted from the end; each must lie in [0, dim). */
    static long[] normalize(OpContext c, OnnxTensor indices, long dim) throws WeightFormatException {
        if (indices.isReal()) {
            throw c.invalid("indices must be integers, got " + indices);
        }
        if (!Dims.known(dim)) {
            throw c.unsupported("gathering along a dimension of unknown size");
        }
        long[] v = c.checkStatic(indices.longs(), "indices");
        for (int i = 0; i < v.length; i++) {
            long k = v[i] < 0 ? v[i] + dim : v[i];
            if (k < 0 || k >= dim) {
                throw c.invalid("index " + v[i] + " is out of range for a dimension of size " + dim);
            }
            v[i] = k;
        }
        return v;
    }

    /** The elements at {@code idx} along {@code axis}, in that order; differentiable. */
    static Tensor select(Tensor t, int axis, long[] idx) {
        if (idx.length == 0) {
            return t.slice(axis, 0, 0);
        }
        List<Tensor> parts = new ArrayList<>();
        int runStart = 0;
        for (int i = 1; i <= idx.length; i++) {
            if (i == idx.length || idx[i] != idx[i - 1] + 1) {
                parts.add(t.slice(axis, (int) idx[runStart], (int) idx[i - 1] + 1));
                runStart = i;
            }
        }
        return parts.size() == 1 ? parts.get(0) : ShapeOps.concat(axis, parts.toArray(Tensor[]::new));
    }
}
