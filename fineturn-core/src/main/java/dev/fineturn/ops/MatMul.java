package dev.fineturn.ops;

import dev.fineturn.spi.Backend;
import dev.fineturn.spi.GemmSpec;
import dev.fineturn.tensor.Autograd;
import dev.fineturn.tensor.Shape;
import dev.fineturn.tensor.Tensor;

import java.util.Arrays;

/**
 * Matrix products. {@code [.., m, k] @ [.., k, n]}; leading batch dimensions must match, or one
 * operand is a plain matrix that is broadcast over the other's batch.
 */
public final class MatMul {
    private MatMul() {
    }

    public static Tensor matmul(Tensor a, Tensor b) {
        Backend backend = Checks.sameBackend("matmul", a, b);
        if (a.rank() < 2 || b.rank() < 2) {
            throw new IllegalArgumentException("matmul: operands need rank >= 2, got " + Shape.str(a.shape())
                    + " and " + Shape.str(b.shape()));
        }
        int m = a.dim(-2);
        int k = a.dim(-1);
        int n = b.dim(-1);
        if (b.dim(-2) != k) {
            throw new IllegalArgumentException("matmul: inner dimensions differ: " + Shape.str(a.shape()) + " @ "
                    + Shape.str(b.shape()) + " (" + k + " vs " + b.dim(-2) + ")");
        }
        int[] aBatch = Arrays.copyOf(a.shape(), a.rank() - 2);
        int[] bBatch = Arrays.copyOf(b.shape(), b.rank() - 2);
        int[] batchShape;
        if (Arrays.equals(aBatch, bBatch) || bBatch.length == 0) {
            batchShape = aBatch;
        } else if (aBatch.length == 0) {
            batchShape = bBatch;
        } else {
            throw new IllegalArgumentException("matmul: batch dimensions of " + Shape.str(a.shape()) + " and "
                    + Shape.str(b.shape()) + " differ");
        }
        int batch = (int) Shape.numel(batchShape);
        Tensor ad = a.contiguous();
        Tensor bd = b.contiguous();
        int[] outShape = Arrays.copyOf(batchShape, batchShape.length + 2);
        outShape[batchShape.length] = m;
        outShape[batchShape.length + 1] = n;
        Tensor out = Tensor.zeros(backend, outShape);
        long sa = aBatch.length == 0 ? 0 : (long) m * k;
        long sb = bBatch.length == 0 ? 0 : (long) k * n;
        backend.gemm(new GemmSpec(batch, m, n, k, false, false, sa, sb, (long) m * n), 1f,
                ad.storage(), 0, bd.storage(), 0, 0f, out.storage(), 0);
        if (Autograd.isRecording(ad, bd)) {
            Autograd.record(out, "matmul", g -> {
                Tensor gd = g.contiguous();
                Tensor da = null;
                Tensor db = null;
                if (ad.requiresGrad()) {
                    // dA = G @ B^T, batched over G; summed when A was broadcast.
                    int[] full = Arrays.copyOf(batchShape, batchShape.length + 2);
                    full[batchShape.length] = m;
                    full[batchShape.length + 1] = k;
                    Tensor t = Tensor.zeros(backend, full);
                    backend.gemm(new GemmSpec(batch, m, k, n, false, true, (long) m * n, sb, (long) m * k), 1f,
                            gd.storage(), 0, bd.storage(), 0, 0f, t.storage(), 0);
                    da = Reductions.sumToShape(t, ad.shape());
                }
                if (bd.requiresGrad()) {
                    int[] full = Arrays.copyOf(batchShape, batchShape.length + 2);
                    full[batchShape.length] = k;
                    full[batchShape.length + 1] = n;
                    Tensor t = Tensor.zeros(backend, full);
                    backend.gemm(new GemmSpec(batch, k, n, m, true, false, sa, (long) m * n, (long) k * n), 1f,
                            ad.storage(), 0, gd.storage(), 0, 0f, t.storage(), 0);
                    db = Reductions.sumToShape(t, bd.shape());
                }
                return new Tensor[]{da, db};
            }, ad, bd);
        }
        return out;
    }

    /**
     * The fully connected layer {@code x @ w^T + bias} with PyTorch's weight layout [out, in];
     * one GEMM with a transposed operand instead of a materialised transpose.
     */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        Backend backend = Checks.sameBackend("linear", x, weight, bias);
        Checks.rank("linear", "input", x, 2);
        Checks.rank("linear", "weight", weight, 2);
        int n = x.dim(0);
        int in = x.dim(1);
        int outF = weight.dim(0);
        if (weight.dim(1) != in) {
            throw new IllegalArgumentException("linear: input " + Shape.str(x.shape()) + " does not fit weight "
                    + Shape.str(weight.shape()) + " (expects " + weight.dim(1) + " input features)");
        }
        if (bias != null && (bias.rank() != 1 || bias.dim(0) != outF)) {
            throw new IllegalArgumentException("linear: bias " + Shape.str(bias.shape()) + " does not fit weight "
                    + Shape.str(weight.shape()));
        }
        Tensor xd = x.contiguous();
        Tensor wd = weight.contiguous();
        Tensor y = Tensor.zeros(backend, n, outF);
        backend.gemm(GemmSpec.of(n, outF, in, false, true), 1f, xd.storage(), 0, wd.storage(), 0, 0f, y.storage(), 0);
        if (Autograd.isRecording(xd, wd)) {
            Autograd.record(y, "linear", g -> {
                Tensor gd = g.contiguous();
                Tensor dx = null;
                Tensor dw = null;
                if (xd.requiresGrad()) {
                    dx = Tensor.zeros(backend, n, in);
                    backend.gemm(GemmSpec.of(n, in, outF, false, false), 1f, gd.storage(), 0, wd.storage(), 0, 0f,
                            dx.storage(), 0);
                }
                if (wd.requiresGrad()) {
                    dw = Tensor.zeros(backend, outF, in);
                    backend.gemm(GemmSpec.of(outF, in, n, true, false), 1f, gd.storage(), 0, xd.storage(), 0, 0f,
                            dw.storage(), 0);
                }
                return new Tensor[]{dx, dw};
            }, xd, wd);
        }
        return bias == null ? y : Arithmetic.add(y, bias);
    }
}
