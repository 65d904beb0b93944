package dev.fineturn.ops;

import dev.fineturn.spi.Backend;
import dev.fineturn.spi.BinaryOp;
import dev.fineturn.spi.UnaryOp;
import dev.fineturn.tensor.Autograd;
import dev.fineturn.tensor.Shape;
import dev.fineturn.tensor.Tensor;

/** Broadcasting add, sub, mul, div and scalar affine maps. */
public final class Arithmetic {
    private Arithmetic() {
    }

    public static Tensor add(Tensor a, Tensor b) {
        Tensor out = apply("add", BinaryOp.ADD, a, b);
        if (Autograd.isRecording(a, b)) {
            Autograd.record(out, "add", g -> new Tensor[]{
                    a.requiresGrad() ? Reductions.sumToShape(g, a.shape()) : null,
                    b.requiresGrad() ? Reductions.sumToShape(g, b.shape()) : null}, a, b);
        }
        return out;
    }

    /**
     * a + b written over a's own memory, as torch's {@code a += b}, when no gradient is recorded through
     * a or b, a is dense, b broadcasts to a's shape and lives in other memory; otherwise a new tensor, as
     * {@link #add}. For a caller's own intermediate results, e.g. a residual block's sum.
     */
    public static Tensor addInPlace(Tensor a, Tensor b) {
        Backend backend = Checks.sameBackend("add", a, b);
        int[] shape = Shape.broadcast("add", a.shape(), b.shape());
        if (Autograd.isRecording(a, b) || !a.isDense() || !java.util.Arrays.equals(shape, a.shape())
                || a.storage() == b.storage()) {
            return add(a, b);
        }
        backend.binary(BinaryOp.ADD, shape, a.storage(), 0, a.strides(), b.storage(), b.offset(),
                Shape.broadcastStrides(b.shape(), b.strides(), shape), a.storage());
        return a;
    }

    public static Tensor sub(Tensor a, Tensor b) {
        Tensor out = apply("sub", BinaryOp.SUB, a, b);
        if (Autograd.isRecording(a, b)) {
            Autograd.record(out, "sub", g -> new Tensor[]{
                    a.requiresGrad() ? Reductions.sumToShape(g, a.shape()) : null,
                    b.requiresGrad() ? Reductions.sumToShape(affine(g, -1f, 0f), b.shape()) : null}, a, b);
        }
        return out;
    }

    public static Tensor mul(Tensor a, Tensor b) {
        Tensor out = apply("mul", BinaryOp.MUL, a, b);
        if (Autograd.isRecording(a, b)) {
            Autograd.record(out, "mul", g -> new Tensor[]{
                    a.requiresGrad() ? Reductions.sumToShape(apply("mul", BinaryOp.MUL, g, b), a.shape()) : null,
                    b.requiresGrad() ? Reductions.sumToShape(apply("mul", BinaryOp.MUL, g, a), b.shape()) : null},
                    a, b);
        }
        return out;
    }

    public static Tensor div(Tensor a, Tensor b) {
        Tensor out = apply("div", BinaryOp.DIV, a, b);
        if (Autograd.isRecording(a, b)) {
            Autograd.record(out, "div", g -> new Tensor[]{
                    a.requiresGrad() ? Reductions.sumToShape(apply("div", BinaryOp.DIV, g, b), a.shape()) : null,
                    b.requiresGrad() ? Reductions.sumToShape(affine(apply("div", BinaryOp.DIV,
                            apply("mul", BinaryOp.MUL, g, out), b), -1f, 0f), b.shape()) : null}, a, b);
        }
        return out;
    }

    /** alpha * x + beta. */
    public static Tensor affine(Tensor x, float alpha, float beta) {
        return Activations.unary("affine", UnaryOp.AFFINE, alpha, beta, x);
    }

    /** Elementwise maximum with broadcasting; no gradient. */
    public static Tensor maximum(Tensor a, Tensor b) {
        return apply("maximum", BinaryOp.MAX, a, b);
    }

    /** The broadcast binary kernel, without recording. */
    static Tensor apply(String op, BinaryOp kind, Tensor a, Tensor b) {
        Backend backend = Checks.sameBackend(op, a, b);
        int[] shape = Shape.broadcast(op, a.shape(), b.shape());
        Tensor out = Tensor.zeros(backend, shape);
        backend.binary(kind, shape, a.storage(), a.offset(), Shape.broadcastStrides(a.shape(), a.strides(), shape),
                b.storage(), b.offset(), Shape.broadcastStrides(b.shape(), b.strides(), shape), out.storage());
        return out;
    }
}
