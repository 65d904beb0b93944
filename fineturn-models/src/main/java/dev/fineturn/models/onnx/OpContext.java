package dev.fineturn.models.onnx;

import dev.fineturn.io.WeightFormatException;
import dev.fineturn.models.onnx.proto.Onnx;
import dev.fineturn.nn.Init;
import dev.fineturn.nn.Layer;
import dev.fineturn.tensor.Tensor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** One node being imported: its inputs as values, its attributes, and how to emit graph steps. */
final class OpContext {
    final Onnx.NodeProto node;
    final Attributes attrs;
    final int opset;
    final String where;
    private final GraphImporter importer;
    private final Value[] extraOutputs;
    private final java.util.Map<OnnxOp, List<Value.Runtime>> made = new java.util.LinkedHashMap<>();
    private boolean absorbedLater;

    OpContext(GraphImporter importer, Onnx.NodeProto node, int opset, String where) {
        this.importer = importer;
        this.node = node;
        this.opset = opset;
        this.where = where;
        this.attrs = new Attributes(node, importer.source(), where);
        this.extraOutputs = new Value[node.getOutputCount()];
    }

    String opType() {
        return node.getOpType();
    }

    Path source() {
        return importer.source();
    }

    int inputCount() {
        return node.getInputCount();
    }

    /** Whether optional input {@code i} is given (ONNX leaves out trailing ones and names skipped ones ""). */
    boolean has(int i) {
        return i < node.getInputCount() && !node.getInput(i).isEmpty();
    }

    Value in(int i) throws WeightFormatException {
        if (!has(i)) {
            throw invalid("input " + i + " is missing");
        }
        return importer.value(node.getInput(i), where);
    }

    /** Input {@code i}, or null when it is left out. */
    Value optional(int i) throws WeightFormatException {
        return has(i) ? in(i) : null;
    }

    /** Input {@code i} as a run-time tensor (the data an operator transforms). */
    Value.Runtime data(int i) throws WeightFormatException {
        Value v = in(i);
        if (v instanceof Value.Runtime r) {
            return r;
        }
        throw unsupported("cannot compute " + opType() + " on constant input '" + node.getInput(i)
                + "' at load time (only shape arithmetic is folded)");
    }

    OnnxTensor constant(int i, String role) throws WeightFormatException {
        Value v = in(i);
        if (v instanceof Value.Const k) {
            return k.tensor();
        }
        throw unsupported(role + " ('" + node.getInput(i) + "') must be a constant (initializer or Constant node), "
                + "not computed at run time");
    }

    /** A constant integer list (shape, axes, pads...) that must not depend on the batch size. */
    long[] ints(int i, String role) throws WeightFormatException {
        OnnxTensor t = constant(i, role);
        if (t.isReal()) {
            throw invalid(role + " must be an integer tensor, got " + t);
        }
        return checkStatic(t.longs(), role);
    }

    long[] checkStatic(long[] v, String role) throws WeightFormatException {
        for (long x : v) {
            if (Dims.isMarker(x)) {
                throw unsupported(role + " depends on " + (x == Dims.BATCH ? "the batch size" : "an unknown dimension")
                        + ", which fineturn only supports as the leading dimension of a Reshape");
            }
        }
        return v;
    }

    /** A constant scalar (one element) as a float. */
    float scalar(int i, String role) throws WeightFormatException {
        OnnxTensor t = constant(i, role);
        if (t.size() != 1) {
            throw invalid(role + " must hold one value, got " + t);
        }
        if (!t.isReal() && Dims.isMarker(t.integer(0))) {
            checkStatic(t.longs(), role);
        }
        return t.real(0);
    }

    long declaredBatch() {
        return importer.declaredBatch();
    }

    /** Adds a graph step that applies {@code module} to run-time inputs. */
    Value.Runtime emit(Layer module, List<Value.Runtime> inputs, long[] shape) {
        return importer.emit(node, module, inputs, shape);
    }

    /**
     * Adds an {@link OnnxOp} step over the operands in ONNX order: run-time values become its inputs,
     * constants its buffers, nulls absent operands.
     */
    Value.Runtime op(String description, List<Value> operands, OnnxOp.Fn fn, long[] shape)
            throws WeightFormatException {
        int[] sources = new int[operands.size()];
        List<Value.Runtime> runtime = new ArrayList<>();
        List<Tensor> constants = new ArrayList<>();
        for (int i = 0; i < sources.length; i++) {
            Value v = operands.get(i);
            if (v == null) {
                sources[i] = OnnxOp.ABSENT;
            } else if (v instanceof Value.Runtime r) {
                sources[i] = runtime.size();
                runtime.add(r);
            } else {
                OnnxTensor t = ((Value.Const) v).tensor();
                if (!t.isReal()) {
                    checkStatic(t.longs(), "operand " + i);
                }
                sources[i] = -(constants.size() + 1);
                constants.add(t.toTensor(Init.backend()));
            }
        }
        if (runtime.isEmpty()) {
            throw unsupported("cannot compute " + opType() + " on constant inputs at load time (only shape arithmetic"
                    + " is folded)");
        }
        OnnxOp op = new OnnxOp(description, sources, constants, fn);
        made.put(op, runtime);
        return emit(op, runtime, shape);
    }

    /**
     * Records on the operator that computes this node's output which ONNX node it is, when it is
     * exactly that node: the only operator made for it, with nothing later absorbed into it, and
     * every run-time operand one of its inputs.
     */
    void recordOrigin(Value out) throws WeightFormatException {
        if (absorbedLater || made.size() != 1 || !(out instanceof Value.Runtime r)
                || !(r.module() instanceof OnnxOp op) || !made.containsKey(op)) {
            return;
        }
        List<Value.Runtime> runtime = made.get(op);
        List<OnnxOp.Operand> operands = new ArrayList<>();
        for (int i = 0; i < node.getInputCount(); i++) {
            if (!has(i)) {
                operands.add(new OnnxOp.Operand.Absent());
                continue;
            }
            Value v = in(i);
            if (v instanceof Value.Const k) {
                operands.add(new OnnxOp.Operand.Constant(k.tensor()));
                continue;
            }
            int index = -1;
            for (int j = 0; j < runtime.size(); j++) {
                if (runtime.get(j).node().equals(((Value.Runtime) v).node())) {
                    index = j;
                }
            }
            if (index < 0) {
                return;
            }
            operands.add(new OnnxOp.Operand.Input(index));
        }
        op.setOrigin(new OnnxOp.Origin(node, opset, operands));
    }

    /** Output {@code k > 0} of this node, when the operator defines it. */
    void defineOutput(int k, Value v) {
        if (k < extraOutputs.length) {
            extraOutputs[k] = v;
        }
    }

    Value extraOutput(int k) {
        return extraOutputs[k];
    }

    /** The nodes that read {@code valueName}, and whether it is a graph output. */
    List<Onnx.NodeProto> consumers(String valueName) {
        return importer.consumers(valueName);
    }

    boolean isGraphOutput(String valueName) {
        return importer.isGraphOutput(valueName);
    }

    /** Imports {@code later} as part of this node: its output becomes {@code v}. */
    void absorb(Onnx.NodeProto later, Value v) {
        absorbedLater = true;
        importer.absorb(later, v);
    }

    /** The value defined so far under {@code name}, or null (e.g. a Constant node further on). */
    Value valueOf(String name) {
        return importer.find(name);
    }

    WeightFormatException unsupported(String problem) {
        return new UnsupportedOnnxException(source(), where + ": " + problem);
    }

    WeightFormatException invalid(String problem) {
        return new WeightFormatException(source(), where + ": " + problem);
    }
}
