package dev.fineturn.models.onnx;

import dev.fineturn.nn.Layer;

/** What an ONNX value name stands for while importing: a constant, or a tensor computed at run time. */
sealed interface Value permits Value.Const, Value.Runtime {
    /** The static shape; run-time values may hold {@link Dims#BATCH} or {@link Dims#UNKNOWN}. */
    long[] shape();

    default int rank() {
        return shape().length;
    }

    /** Known at load time: an initializer, a Constant node or folded shape arithmetic. */
    record Const(OnnxTensor tensor) implements Value {
        @Override
        public long[] shape() {
            return tensor.shape();
        }
    }

    /** Output of the graph node {@code node}, or the graph input of that name; {@code module} made it. */
    record Runtime(String node, long[] shape, Layer module) implements Value {
        @Override
        public long[] shape() {
            return shape.clone();
        }
    }
}
