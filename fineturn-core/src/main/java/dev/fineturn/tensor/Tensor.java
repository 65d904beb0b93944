package dev.fineturn.tensor;

import dev.fineturn.backend.Backends;
import dev.fineturn.ops.Activations;
import dev.fineturn.ops.Arithmetic;
import dev.fineturn.ops.MatMul;
import dev.fineturn.ops.Reductions;
import dev.fineturn.ops.SoftmaxOps;
import dev.fineturn.spi.Backend;
import dev.fineturn.spi.BinaryOp;
import dev.fineturn.spi.Storage;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * An n-dimensional float32 tensor: a strided view over a backend's storage. Views (reshape,
 * permute, slice, expand) share storage; moving to another backend is an explicit {@link #to}.
 */
public final class Tensor {
    private final Storage storage;
    private final long offset;
    private final int[] shape;
    private final int[] strides;
    private boolean requiresGrad;
    private Node gradFn;
    private Tensor grad;
    private long version;

    private Tensor(Storage storage, long offset, int[] shape, int[] strides) {
        this.storage = storage;
        this.offset = offset;
        this.shape = shape;
        this.strides = strides;
    }

    // ---- construction ------------------------------------------------------------------------

    /** A view over existing storage. */
    public static Tensor view(Storage storage, long offset, int[] shape, int[] strides) {
        if (shape.length != strides.length) {
            throw new IllegalArgumentException("view: shape " + Shape.str(shape) + " and strides "
                    + Arrays.toString(strides) + " differ in rank");
        }
        Shape.checkValid("view", shape);
        return new Tensor(storage, offset, shape.clone(), strides.clone());
    }

    /** A dense tensor over the start of a storage. */
    public static Tensor dense(Storage storage, int... shape) {
        Shape.checkValid("tensor", shape);
        if (Shape.numel(shape) > storage.length()) {
            throw new IllegalArgumentException("tensor: shape " + Shape.str(shape) + " needs " + Shape.numel(shape)
                    + " elements but the storage holds " + storage.length());
        }
        return new Tensor(storage, 0, shape.clone(), Shape.contiguousStrides(shape));
    }

    public static Tensor zeros(Backend backend, int... shape) {
        Shape.checkValid("zeros", shape);
        Storage s = backend.allocate(Shape.numel(shape));
        Autograd.noteAllocated(s);
        return dense(s, shape);
    }

    public static Tensor zeros(int... shape) {
        return zeros(Backends.defaultBackend(), shape);
    }

    public static Tensor full(Backend backend, float value, int... shape) {
        Tensor t = zeros(backend, shape);
        if (value != 0f) {
            backend.fill(t.storage, 0, t.numel(), value);
        }
        return t;
    }

    public static Tensor ones(int... shape) {
        return full(Backends.defaultBackend(), 1f, shape);
    }

    public static Tensor ones(Backend backend, int... shape) {
        return full(backend, 1f, shape);
    }

    public static Tensor of(Backend backend, float[] data, int... shape) {
        Shape.checkValid("tensor", shape);
        if (Shape.numel(shape) != data.length) {
            throw new IllegalArgumentException("tensor: " + data.length + " values do not fill shape "
                    + Shape.str(shape) + " (" + Shape.numel(shape) + " elements)");
        }
        Storage s = backend.allocate(data.length);
        backend.write(data, 0, s, 0, data.length);
        return dense(s, shape);
    }

    public static Tensor of(float[] data, int... shape) {
        return of(Backends.defaultBackend(), data, shape);
    }

    public static Tensor scalar(Backend backend, float value) {
        return of(backend, new float[]{value});
    }

    /** Standard normal values from a seeded generator; the same seed gives the same tensor on every backend. */
    public static Tensor randn(Backend backend, long seed, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[(int) Shape.numel(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return of(backend, v, shape);
    }

    /** Uniform values in [lo, hi) from a seeded generator. */
    public static Tensor uniform(Backend backend, long seed, float lo, float hi, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[(int) Shape.numel(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = lo + (hi - lo) * (float) r.nextDouble();
        }
        return of(backend, v, shape);
    }

    // ---- metadata ----------------------------------------------------------------------------

    public Backend backend() {
        return storage.backend();
    }

    public Storage storage() {
        return storage;
    }

    public long offset() {
        return offset;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int[] strides() {
        return strides.clone();
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int d) {
        return shape[Shape.normalizeDim("dim", d, shape.length)];
    }

    public int numel() {
        return (int) Shape.numel(shape);
    }

    /** Row-major strides, whatever the offset. */
    public boolean isContiguous() {
        int expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && strides[i] != expected) {
                return false;
            }
            expected *= shape[i];
        }
        return true;
    }

    /** Row-major and starting at the storage's first element: what kernels take. */
    public boolean isDense() {
        return offset == 0 && isContiguous();
    }

    @Override
    public String toString() {
        return "Tensor" + Shape.str(shape) + "@" + backend().name() + (requiresGrad ? " requiresGrad" : "")
                + (gradFn != null ? " <" + gradFn.op() + ">" : "");
    }

    // ---- autograd ----------------------------------------------------------------------------

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks a leaf tensor as a parameter whose gradient is wanted (or not). */
    public Tensor requiresGrad(boolean value) {
        if (gradFn != null && !value) {
            throw new IllegalStateException("requiresGrad(false) on a non-leaf tensor; use detach()");
        }
        requiresGrad = value;
        return this;
    }

    public Node gradFn() {
        return gradFn;
    }

    public boolean isLeaf() {
        return gradFn == null;
    }

    void setGradFn(Node node) {
        gradFn = node;
        requiresGrad = true;
    }

    /** The accumulated gradient of a leaf, or null. */
    public Tensor grad() {
        return grad;
    }

    public void zeroGrad() {
        grad = null;
    }

    /** Sets (or clears) the accumulated gradient, e.g. when restoring or clipping. */
    public void setGrad(Tensor g) {
        if (g != null && !Arrays.equals(g.shape, shape)) {
            throw new IllegalArgumentException("setGrad: gradient shape " + Shape.str(g.shape)
                    + " does not match tensor shape " + Shape.str(shape));
        }
        grad = g;
    }

    /**
     * Adds g to the gradient. The first gradient is copied unless {@code adopt}: the backward pass
     * then knows g is dense, newly made by it and referenced nowhere else.
     */
    void accumulateGrad(Tensor g, boolean adopt) {
        if (!requiresGrad) {
            return;
        }
        if (grad == null) {
            grad = adopt ? g.detach() : g.copy();
        } else {
            backend().binary(BinaryOp.ADD, shape, grad.storage, grad.offset, grad.strides,
                    g.storage, g.offset, g.strides, grad.storage);
        }
    }

    /** Backpropagates from a single-element tensor, accumulating into leaves' {@link #grad()}. */
    public void backward() {
        Autograd.backward(this, null, false);
    }

    public void backward(Tensor seed, boolean retainGraph) {
        Autograd.backward(this, seed, retainGraph);
    }

    /** The same data with no graph history. */
    public Tensor detach() {
        return new Tensor(storage, offset, shape, strides);
    }

    // ---- data movement -----------------------------------------------------------------------

    /** A dense copy, recorded so gradients flow through. */
    public Tensor contiguous() {
        if (isDense()) {
            return this;
        }
        Tensor out = copy();
        if (Autograd.isRecording(this)) {
            Autograd.record(out, "contiguous", g -> new Tensor[]{g}, this);
        }
        return out;
    }

    /** A dense copy on the same backend, without graph history. */
    public Tensor copy() {
        Tensor out = zeros(backend(), shape);
        backend().copyStrided(shape, storage, offset, strides, out.storage, 0, out.strides);
        return out;
    }

    /** Copies values from {@code src} (same shape) into this tensor's memory; no graph. */
    public Tensor copyFrom(Tensor src) {
        if (!Arrays.equals(src.shape, shape)) {
            throw new IllegalArgumentException("copyFrom: source shape " + Shape.str(src.shape)
                    + " does not match destination shape " + Shape.str(shape));
        }
        Tensor s = src.backend() == backend() ? src : src.to(backend());
        backend().copyStrided(shape, s.storage, s.offset, s.strides, storage, offset, strides);
        version++;
        return this;
    }

    /**
     * How many times this tensor's values were overwritten in place: by {@link #copyFrom} and by
     * optimiser steps ({@link #markWritten}). What is computed from a parameter's values (a folded
     * inference weight) is current while the version it was computed at is.
     */
    public long version() {
        return version;
    }

    /** Records that this tensor's memory was written other than through {@link #copyFrom}. */
    public void markWritten() {
        version++;
    }

    /** A copy on another backend (this tensor if already there). The copy is a leaf. */
    public Tensor to(Backend target) {
        if (target == backend()) {
            return this;
        }
        Tensor out = of(target, toArray(), shape);
        out.requiresGrad = requiresGrad && isLeaf();
        return out;
    }

    /** The values in row-major order, copied to the host. */
    public float[] toArray() {
        Tensor d = isDense() ? this : copy();
        float[] out = new float[numel()];
        backend().read(d.storage, 0, out, 0, out.length);
        return out;
    }

    /** The single value of a one-element tensor. */
    public float item() {
        if (numel() != 1) {
            throw new IllegalStateException("item: tensor of shape " + Shape.str(shape) + " has " + numel()
                    + " elements, not 1");
        }
        float[] v = new float[1];
        backend().read(storage, offset, v, 0, 1);
        return v[0];
    }

    // ---- views -------------------------------------------------------------------------------

    /** Same data, new shape; one dimension may be -1. A view when the layout allows, else a copy. */
    public Tensor reshape(int... newShape) {
        int[] target = inferShape(newShape);
        if (Arrays.equals(target, shape)) {
            return this;
        }
        Tensor src = isContiguous() ? this : contiguous();
        Tensor out = new Tensor(src.storage, src.offset, target, Shape.contiguousStrides(target));
        if (Autograd.isRecording(src)) {
            int[] original = shape.clone();
            Autograd.record(out, "reshape", g -> new Tensor[]{g.reshape(original)}, src);
        }
        return out;
    }

    private int[] inferShape(int[] newShape) {
        int[] target = newShape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < target.length; i++) {
            if (target[i] == -1) {
                if (infer >= 0) {
                    throw new IllegalArgumentException("reshape: more than one -1 in " + Shape.str(newShape));
                }
                infer = i;
            } else {
                known *= target[i];
            }
        }
        if (infer >= 0) {
            if (known == 0 || numel() % known != 0) {
                throw new IllegalArgumentException("reshape: cannot reshape " + Shape.str(shape) + " ("
                        + numel() + " elements) into " + Shape.str(newShape));
            }
            target[infer] = (int) (numel() / known);
        }
        if (Shape.numel(target) != numel()) {
            throw new IllegalArgumentException("reshape: cannot reshape " + Shape.str(shape) + " (" + numel()
                    + " elements) into " + Shape.str(newShape));
        }
        return target;
    }

    /** Flattens dimensions from {@code startDim} on: [N, C, H, W].flatten(1) is [N, C*H*W]. */
    public Tensor flatten(int startDim) {
        int s = Shape.normalizeDim("flatten", startDim, shape.length);
        int[] target = Arrays.copyOf(shape, s + 1);
        long rest = 1;
        for (int i = s; i < shape.length; i++) {
            rest *= shape[i];
        }
        target[s] = (int) rest;
        return reshape(target);
    }

    /** Reorders dimensions; a view. */
    public Tensor permute(int... order) {
        if (order.length != shape.length) {
            throw new IllegalArgumentException("permute: order " + Arrays.toString(order) + " does not match rank "
                    + shape.length + " of " + Shape.str(shape));
        }
        int[] ns = new int[order.length];
        int[] nst = new int[order.length];
        int[] inverse = new int[order.length];
        boolean[] seen = new boolean[order.length];
        for (int i = 0; i < order.length; i++) {
            int d = Shape.normalizeDim("permute", order[i], shape.length);
            if (seen[d]) {
                throw new IllegalArgumentException("permute: dimension " + d + " repeated in " + Arrays.toString(order));
            }
            seen[d] = true;
            ns[i] = shape[d];
            nst[i] = strides[d];
            inverse[d] = i;
        }
        Tensor out = new Tensor(storage, offset, ns, nst);
        if (Autograd.isRecording(this)) {
            Autograd.record(out, "permute", g -> new Tensor[]{g.permute(inverse)}, this);
        }
        return out;
    }

    public Tensor transpose(int a, int b) {
        int[] order = new int[shape.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        int x = Shape.normalizeDim("transpose", a, shape.length);
        int y = Shape.normalizeDim("transpose", b, shape.length);
        order[x] = y;
        order[y] = x;
        return permute(order);
    }

    /** Elements {@code start} (inclusive) to {@code end} (exclusive) along {@code dim}, with a step; a view. */
    public Tensor slice(int dim, int start, int end, int step) {
        int d = Shape.normalizeDim("slice", dim, shape.length);
        if (step < 1 || start < 0 || end > shape[d] || start > end) {
            throw new IllegalArgumentException("slice: range [" + start + ", " + end + ") step " + step
                    + " is invalid for dimension " + d + " of size " + shape[d] + " in " + Shape.str(shape));
        }
        int[] ns = shape.clone();
        int[] nst = strides.clone();
        ns[d] = (end - start + step - 1) / step;
        nst[d] = strides[d] * step;
        Tensor out = new Tensor(storage, offset + (long) start * strides[d], ns, nst);
        if (Autograd.isRecording(this)) {
            int[] original = shape.clone();
            Backend b = backend();
            Autograd.record(out, "slice", g -> {
                Tensor full = zeros(b, original);
                full.slice(d, start, end, step).copyFrom(g);
                return new Tensor[]{full};
            }, this);
        }
        return out;
    }

    public Tensor slice(int dim, int start, int end) {
        return slice(dim, start, end, 1);
    }

    /** Broadcasts size-1 dimensions to {@code target} without copying (stride 0). */
    public Tensor expand(int... target) {
        Shape.broadcast("expand", shape, target);
        if (target.length < shape.length) {
            throw new IllegalArgumentException("expand: cannot expand " + Shape.str(shape) + " to lower rank "
                    + Shape.str(target));
        }
        for (int i = 0; i < target.length; i++) {
            int j = i - (target.length - shape.length);
            if (j >= 0 && shape[j] != 1 && shape[j] != target[i]) {
                throw new IllegalArgumentException("expand: cannot expand " + Shape.str(shape) + " to "
                        + Shape.str(target));
            }
        }
        Tensor out = new Tensor(storage, offset, target.clone(), Shape.broadcastStrides(shape, strides, target));
        if (Autograd.isRecording(this)) {
            int[] original = shape.clone();
            Autograd.record(out, "expand", g -> new Tensor[]{Reductions.sumToShape(g, original)}, this);
        }
        return out;
    }

    // ---- operator shorthands -----------------------------------------------------------------

    public Tensor add(Tensor o) {
        return Arithmetic.add(this, o);
    }

    public Tensor sub(Tensor o) {
        return Arithmetic.sub(this, o);
    }

    public Tensor mul(Tensor o) {
        return Arithmetic.mul(this, o);
    }

    public Tensor div(Tensor o) {
        return Arithmetic.div(this, o);
    }

    public Tensor mul(float s) {
        return Arithmetic.affine(this, s, 0f);
    }

    public Tensor add(float s) {
        return Arithmetic.affine(this, 1f, s);
    }

    public Tensor neg() {
        return Arithmetic.affine(this, -1f, 0f);
    }

    public Tensor matmul(Tensor o) {
        return MatMul.matmul(this, o);
    }

    public Tensor relu() {
        return Activations.relu(this);
    }

    public Tensor sigmoid() {
        return Activations.sigmoid(this);
    }

    public Tensor tanh() {
        return Activations.tanh(this);
    }

    public Tensor exp() {
        return Activations.exp(this);
    }

    public Tensor log() {
        return Activations.log(this);
    }

    public Tensor sum() {
        return Reductions.sum(this);
    }

    public Tensor mean() {
        return Reductions.mean(this);
    }

    public Tensor sum(int[] dims, boolean keepDim) {
        return Reductions.sum(this, dims, keepDim);
    }

    public Tensor mean(int[] dims, boolean keepDim) {
        return Reductions.mean(this, dims, keepDim);
    }

    public Tensor softmax(int dim) {
        return SoftmaxOps.softmax(this, dim);
    }

    public Tensor logSoftmax(int dim) {
        return SoftmaxOps.logSoftmax(this, dim);
    }
}
