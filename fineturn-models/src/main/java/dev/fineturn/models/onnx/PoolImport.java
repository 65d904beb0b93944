package dev.fineturn.models.onnx;

import dev.fineturn.io.WeightFormatException;
import dev.fineturn.models.graph.GlobalAvgPool;
import dev.fineturn.models.graph.Pool2d;
import dev.fineturn.tensor.Tensor;

import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/** MaxPool, AveragePool (2-D, or 1-D lifted to 2-D) and GlobalAveragePool. */
final class PoolImport {
    private PoolImport() {
    }

    static void register(Map<String, Converter> m) {
        m.put("MaxPool", c -> pool(c, true));
        m.put("AveragePool", c -> pool(c, false));
        m.put("GlobalAveragePool", PoolImport::globalAverage);
    }

    private static Value pool(OpContext c, boolean max) throws WeightFormatException {
        Value.Runtime x = c.data(0);
        int rank = x.rank();
        if (rank != 3 && rank != 4) {
            throw c.unsupported("only 1-D and 2-D pooling is supported, input " + Dims.str(x.shape()));
        }
        long[] kernel = c.attrs.ints("kernel_shape");
        if (kernel == null || kernel.length != rank - 2) {
            throw c.invalid("kernel_shape must have " + (rank - 2) + " values");
        }
        Window w = Window.read(c, x.shape(), kernel);
        if (w.dh() != 1 || w.dw() != 1) {
            throw c.unsupported("dilated pooling is not supported");
        }
        boolean ceil = c.attrs.i("ceil_mode", 0) != 0;
        boolean countPad = !max && c.attrs.i("count_include_pad", 0) != 0;
        if (w.sameAtRunTime() && (countPad || ceil)) {
            throw c.unsupported("SAME padding of an input of unknown size with count_include_pad or ceil_mode");
        }
        long[] outShape = w.outputShape(c, x.shape()[0], x.shape()[1], ceil);
        Pool2d p = w.sameAtRunTime() ? Pool2d.same(max, w.kh(), w.kw(), w.sh(), w.sw())
                : new Pool2d(max, w.kh(), w.kw(), w.sh(), w.sw(), w.pads(), ceil, countPad);
        if (rank == 4) {
            return c.emit(p, List.of(x), outShape);
        }
        return c.op(p + " (1-D)", List.of(x), ops -> {
            Tensor y = p.forward(ops[0].reshape(ops[0].dim(0), ops[0].dim(1), 1, ops[0].dim(2)));
            return y.reshape(y.dim(0), y.dim(1), y.dim(3));
        }, outShape);
    }

    private static Value globalAverage(OpContext c) throws WeightFormatException {
        Value.Runtime x = c.data(0);
        int rank = x.rank();
        if (rank < 3) {
            throw c.invalid("needs an input with spatial dimensions, got " + Dims.str(x.shape()));
        }
        long[] out = x.shape();
        for (int i = 2; i < rank; i++) {
            out[i] = 1;
        }
        if (rank == 4) {
            return c.emit(new GlobalAvgPool(true), List.of(x), out);
        }
        int[] dims = IntStream.range(2, rank).toArray();
        return c.op("GlobalAveragePool", List.of(x), ops -> ops[0].mean(dims, true), out);
    }
}
