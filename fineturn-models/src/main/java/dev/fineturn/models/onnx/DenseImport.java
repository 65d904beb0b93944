package dev.fineturn.models.onnx;

import dev.fineturn.io.WeightFormatException;
import dev.fineturn.models.onnx.proto.Onnx;
import dev.fineturn.nn.Linear;
import dev.fineturn.tensor.Tensor;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Gemm and MatMul. A product of a [batch, in] node with a constant matrix becomes a trainable
 * {@link Linear} (weight [out, in]); alpha, beta, transB and a bias (Gemm's C, or the Add that
 * follows a MatMul) are folded into it.
 */
final class DenseImport {
    private DenseImport() {
    }

    static void register(Map<String, Converter> m) {
        m.put("Gemm", DenseImport::gemm);
        m.put("MatMul", DenseImport::matmul);
    }

    private static Value gemm(OpContext c) throws WeightFormatException {
        Value a = c.in(0);
        Value b = c.in(1);
        Value bias = c.optional(2);
        boolean transA = c.attrs.i("transA", 0) != 0;
        boolean transB = c.attrs.i("transB", 0) != 0;
        float alpha = c.attrs.f("alpha", 1f);
        float beta = c.attrs.f("beta", 1f);
        if (a.rank() != 2 || b.rank() != 2) {
            throw c.invalid("A " + Dims.str(a.shape()) + " and B " + Dims.str(b.shape()) + " must be matrices");
        }
        long k = b.shape()[transB ? 1 : 0];
        long n = b.shape()[transB ? 0 : 1];
        long ak = a.shape()[transA ? 0 : 1];
        if (Dims.known(ak) && Dims.known(k) && ak != k) {
            throw c.invalid("A " + Dims.str(a.shape()) + " and B " + Dims.str(b.shape()) + " do not multiply");
        }
        long[] out = {a.shape()[transA ? 1 : 0], n};
        if (bias != null && Dims.broadcast(bias.shape(), out) == null) {
            throw c.invalid("C " + Dims.str(bias.shape()) + " does not broadcast to " + Dims.str(out));
        }
        if (a instanceof Value.Runtime x && b instanceof Value.Const w && !transA && isRowBias(bias, n)) {
            float[] weight = transB ? w.tensor().floats() : transpose(w.tensor().floats(), (int) k, (int) n);
            return linear(c, x, weight, alpha, bias == null ? null : ((Value.Const) bias).tensor(), beta, (int) k,
                    (int) n);
        }
        return c.op("Gemm", Arrays.asList(a, b, bias), ops -> {
            Tensor am = transA ? ops[0].transpose(0, 1) : ops[0];
            Tensor bm = transB ? ops[1].transpose(0, 1) : ops[1];
            Tensor y = am.matmul(bm);
            if (alpha != 1f) {
                y = y.mul(alpha);
            }
            return ops[2] == null ? y : y.add(beta != 1f ? ops[2].mul(beta) : ops[2]);
        }, out);
    }

    /** Whether a (constant) bias adds the same vector to every row: shape [n], [1, n] or one value. */
    private static boolean isRowBias(Value bias, long n) {
        if (bias == null) {
            return true;
        }
        long[] s = bias.shape();
        return bias instanceof Value.Const && Arrays.equals(Dims.broadcast(s, new long[]{1, n}), new long[]{1, n});
    }

    private static Value linear(OpContext c, Value.Runtime x, float[] weight, float alpha, OnnxTensor bias, float beta,
                                int in, int out) throws WeightFormatException {
        Linear lin = new Linear(in, out, bias != null);
        if (alpha != 1f) {
            for (int i = 0; i < weight.length; i++) {
                weight[i] *= alpha;
            }
        }
        Weights.copy(c, lin.namedParameters().get("weight"), weight, "weight");
        if (bias != null) {
            float[] v = Weights.perChannel(c, bias, out, "bias");
            for (int i = 0; i < v.length; i++) {
                v[i] *= beta;
            }
            Weights.copy(c, lin.namedParameters().get("bias"), v, "bias");
        }
        return c.emit(lin, List.of(x), new long[]{x.shape()[0], out});
    }

    private static Value matmul(OpContext c) throws WeightFormatException {
        Value a = c.in(0);
        Value b = c.in(1);
        long[] out = matmulShape(c, a.shape(), b.shape());
        if (a instanceof Value.Runtime x && x.rank() == 2 && b instanceof Value.Const w && w.rank() == 2) {
            int k = (int) w.shape()[0];
            int n = (int) w.shape()[1];
            OnnxTensor bias = followingBias(c, n);
            Value v = linear(c, x, transpose(w.tensor().floats(), k, n), 1f, bias, 1f, k, n);
            if (bias != null) {
                c.absorb(c.consumers(c.node.getOutput(0)).get(0), v);
            }
            return v;
        }
        return c.op("MatMul", List.of(a, b), ops -> product(ops[0], ops[1]), out);
    }

    /** The constant row bias of an Add that is the only reader of this MatMul's output, or null. */
    private static OnnxTensor followingBias(OpContext c, int n) {
        String y = c.node.getOutput(0);
        List<Onnx.NodeProto> readers = c.consumers(y);
        if (readers.size() != 1 || c.isGraphOutput(y) || !readers.get(0).getOpType().equals("Add")
                || readers.get(0).getInputCount() != 2) {
            return null;
        }
        Onnx.NodeProto add = readers.get(0);
        String other = add.getInput(0).equals(y) ? add.getInput(1) : add.getInput(0);
        if (other.equals(y) || !(c.valueOf(other) instanceof Value.Const k) || !k.tensor().isReal()
                || !Arrays.equals(Dims.broadcast(k.shape(), new long[]{1, n}), new long[]{1, n})) {
            return null;
        }
        return k.tensor();
    }

    /** NumPy matmul: 1-D operands are promoted, leading dimensions broadcast. */
    static Tensor product(Tensor a, Tensor b) {
        boolean vecA = a.rank() == 1;
        boolean vecB = b.rank() == 1;
        Tensor x = vecA ? a.reshape(1, a.dim(0)) : a;
        Tensor y = vecB ? b.reshape(b.dim(0), 1) : b;
        int[] batchX = Arrays.copyOf(x.shape(), x.rank() - 2);
        int[] batchY = Arrays.copyOf(y.shape(), y.rank() - 2);
        if (!Arrays.equals(batchX, batchY) && batchX.length > 0 && batchY.length > 0) {
            int[] batch = dev.fineturn.tensor.Shape.broadcast("matmul", batchX, batchY);
            x = x.expand(concat(batch, x.dim(-2), x.dim(-1)));
            y = y.expand(concat(batch, y.dim(-2), y.dim(-1)));
        }
        Tensor r = x.matmul(y);
        if (vecA) {
            r = r.reshape(dropAxis(r.shape(), r.rank() - 2));
        }
        if (vecB) {
            r = r.reshape(dropAxis(r.shape(), r.rank() - 1));
        }
        return r;
    }

    private static long[] matmulShape(OpContext c, long[] a, long[] b) throws WeightFormatException {
        if (a.length == 0 || b.length == 0) {
            throw c.invalid("operands must have at least one dimension");
        }
        long[] x = a.length == 1 ? new long[]{1, a[0]} : a;
        long[] y = b.length == 1 ? new long[]{b[0], 1} : b;
        long kx = x[x.length - 1];
        long ky = y[y.length - 2];
        if (Dims.known(kx) && Dims.known(ky) && kx != ky) {
            throw c.invalid("shapes " + Dims.str(a) + " and " + Dims.str(b) + " do not multiply");
        }
        long[] batch = Dims.broadcast(Arrays.copyOf(x, x.length - 2), Arrays.copyOf(y, y.length - 2));
        if (batch == null) {
            throw c.invalid("batch dimensions of " + Dims.str(a) + " and " + Dims.str(b) + " do not broadcast");
        }
        long[] out = Arrays.copyOf(batch, batch.length + 2);
        out[batch.length] = x[x.length - 2];
        out[batch.length + 1] = y[y.length - 1];
        if (b.length == 1) {
            out = Arrays.copyOf(out, out.length - 1);
        }
        if (a.length == 1) {
            long last = out[out.length - 1];
            out = Arrays.copyOf(out, out.length - 1);
            if (b.length != 1) {
                out[out.length - 1] = last;
            }
        }
        return out;
    }

    private static int[] concat(int[] batch, int m, int n) {
        int[] s = Arrays.copyOf(batch, batch.length + 2);
        s[batch.length] = m;
        s[batch.length + 1] = n;
        return s;
    }

    private static int[] dropAxis(int[] shape, int axis) {
        int[] s = new int[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (i != axis) {
                s[j++] = shape[i];
            }
        }
        return s;
    }

    static float[] transpose(float[] src, int rows, int cols) {
        float[] dst = new float[src.length];
        for (int r = 0; r < rows; r++) {
            for (int col = 0; col < cols; col++) {
                dst[col * rows + r] = src[r * cols + col];
            }
        }
        return dst;
    }
}
