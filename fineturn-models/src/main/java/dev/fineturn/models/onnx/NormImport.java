package dev.fineturn.models.onnx;

import dev.fineturn.io.WeightFormatException;
import dev.fineturn.nn.BatchNorm2d;
import dev.fineturn.ops.Normalization;
import dev.fineturn.tensor.Tensor;

import java.util.List;
import java.util.Map;

/**
 * BatchNormalization at inference. Constant statistics on [N, C] or [N, C, H, W] input make a
 * trainable {@link BatchNorm2d}; ONNX's momentum m (running = m * running + (1 - m) * batch) is
 * PyTorch's 1 - m.
 */
final class NormImport {
    private NormImport() {
    }

    static void register(Map<String, Converter> m) {
        m.put("BatchNormalization", NormImport::batchNorm);
    }

    private static Value batchNorm(OpContext c) throws WeightFormatException {
        if (c.opset >= 14 && c.attrs.i("training_mode", 0) != 0) {
            throw c.unsupported("training_mode=1 (normalising with batch statistics) is not supported");
        }
        if (c.opset < 9 && c.attrs.i("spatial", 1) == 0) {
            throw c.unsupported("spatial=0 (per-position statistics) is not supported");
        }
        Value.Runtime x = c.data(0);
        if (x.rank() < 2) {
            throw c.invalid("input " + Dims.str(x.shape()) + " has no channel dimension");
        }
        long channels = x.shape()[1];
        Value[] params = new Value[4];
        boolean constant = true;
        for (int i = 0; i < 4; i++) {
            params[i] = c.in(i + 1);
            if (params[i].rank() != 1 || Dims.known(channels) && params[i].shape()[0] != channels) {
                throw c.invalid("parameter " + (i + 1) + " " + Dims.str(params[i].shape()) + " does not match "
                        + channels + " channels");
            }
            constant &= params[i] instanceof Value.Const;
        }
        float eps = c.attrs.f("epsilon", 1e-5f);
        float momentum = c.attrs.f("momentum", 0.9f);
        int rank = x.rank();
        if (constant && (rank == 2 || rank == 4)) {
            int ch = (int) params[0].shape()[0];
            BatchNorm2d bn = new BatchNorm2d(ch, eps, 1f - momentum);
            Weights.copy(c, bn.namedParameters().get("weight"), floats(params[0]), "scale");
            Weights.copy(c, bn.namedParameters().get("bias"), floats(params[1]), "B");
            Weights.copy(c, bn.namedBuffers().get("running_mean"), floats(params[2]), "mean");
            Weights.copy(c, bn.namedBuffers().get("running_var"), floats(params[3]), "var");
            bn.eval();
            return c.emit(bn, List.of(x), x.shape());
        }
        return c.op("BatchNormalization(eps=" + eps + ")", List.of(x, params[0], params[1], params[2], params[3]),
                ops -> {
                    Tensor in = ops[0];
                    Tensor in4 = rank == 2 || rank == 4 ? in : in.reshape(in.dim(0), in.dim(1), -1, 1);
                    Tensor y = Normalization.batchNorm(in4, ops[1], ops[2], ops[3], ops[4], false, 0.1f, eps);
                    return y.reshape(in.shape());
                }, x.shape());
    }

    private static float[] floats(Value v) {
        return ((Value.Const) v).tensor().floats();
    }
}
