package dev.fineturn.models.onnx;

import dev.fineturn.io.WeightFormatException;
import dev.fineturn.models.graph.SameConv2d;
import dev.fineturn.nn.Conv2d;
import dev.fineturn.nn.Layer;
import dev.fineturn.ops.Conv2dOptions;
import dev.fineturn.ops.Convolution;
import dev.fineturn.tensor.Tensor;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Conv over NCHW (and NCL, as a 1 x L image). With constant weights a 2-D convolution becomes a
 * trainable {@link Conv2d} (or {@link SameConv2d} for SAME_UPPER padding of an unknown input size).
 */
final class ConvImport {
    private ConvImport() {
    }

    static void register(Map<String, Converter> m) {
        m.put("Conv", ConvImport::conv);
    }

    private static Value conv(OpContext c) throws WeightFormatException {
        Value.Runtime x = c.data(0);
        int rank = x.rank();
        if (rank != 3 && rank != 4) {
            throw c.unsupported("only 1-D and 2-D convolutions are supported, input " + Dims.str(x.shape()));
        }
        Value w = c.in(1);
        Value b = c.optional(2);
        long[] ws = w.shape();
        if (ws.length != rank || !Dims.allKnown(ws)) {
            throw c.invalid("weight shape " + Dims.str(ws) + " does not fit input " + Dims.str(x.shape()));
        }
        int group = c.attrs.i("group", 1, 1, Integer.MAX_VALUE);
        long[] kernel = Arrays.copyOfRange(ws, 2, rank);
        long[] kernelAttr = c.attrs.ints("kernel_shape");
        if (kernelAttr != null && !Arrays.equals(kernelAttr, kernel)) {
            throw c.invalid("kernel_shape " + Arrays.toString(kernelAttr) + " differs from the weight " + Dims.str(ws));
        }
        long inC = x.shape()[1];
        long outC = ws[0];
        if (Dims.known(inC) && ws[1] * group != inC || outC % group != 0 || outC == 0) {
            throw c.invalid("weight " + Dims.str(ws) + " with group=" + group + " does not fit input "
                    + Dims.str(x.shape()));
        }
        if (b != null && (b.rank() != 1 || b.shape()[0] != outC)) {
            throw c.invalid("bias " + Dims.str(b.shape()) + " does not match " + outC + " output channels");
        }
        Window win = Window.read(c, x.shape(), kernel);
        long[] outShape = win.outputShape(c, x.shape()[0], outC, false);
        if (w instanceof Value.Const wc && rank == 4 && (b == null || b instanceof Value.Const)) {
            return c.emit(trainable(c, win, Math.toIntExact(ws[1] * group), (int) outC, group, wc.tensor(), b),
                    List.of(x), outShape);
        }
        if (win.sameAtRunTime()) {
            throw c.unsupported("SAME padding of an input of unknown size with run-time or 1-D weights");
        }
        Conv2dOptions o = win.convOptions(group);
        return c.op("Conv" + (rank == 3 ? "1d" : "") + Dims.str(ws), Arrays.asList(x, w, b), ops -> {
            Tensor in = ops[0];
            Tensor wt = ops[1];
            if (rank == 3) {
                in = in.reshape(in.dim(0), in.dim(1), 1, in.dim(2));
                wt = wt.reshape(wt.dim(0), wt.dim(1), 1, wt.dim(2));
            }
            Tensor y = Convolution.conv2d(in, wt, ops[2], o);
            return rank == 3 ? y.reshape(y.dim(0), y.dim(1), y.dim(3)) : y;
        }, outShape);
    }

    private static Layer trainable(OpContext c, Window w, int in, int out, int group, OnnxTensor weight, Value b)
            throws WeightFormatException {
        boolean bias = b != null;
        Layer m = w.sameAtRunTime()
                ? new SameConv2d(in, out, w.kh(), w.kw(), w.sh(), w.sw(), w.dh(), w.dw(), group, bias)
                : new Conv2d(in, out, w.kh(), w.kw(), w.convOptions(group), bias);
        Weights.copy(c, m.namedParameters().get("weight"), weight.floats(), "weight");
        if (bias) {
            Weights.copy(c, m.namedParameters().get("bias"), ((Value.Const) b).tensor().floats(), "bias");
        }
        return m;
    }
}
