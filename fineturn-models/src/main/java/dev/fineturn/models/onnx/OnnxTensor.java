package dev.fineturn.models.onnx;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.fineturn.io.WeightFormatException;
import dev.fineturn.models.onnx.proto.Onnx;
import dev.fineturn.spi.Backend;
import dev.fineturn.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A tensor as ONNX stores it: an element type, a shape and host values (float32 for the float
 * types, int64 for the integer types and bool). Initializers, constants and the operands of the
 * shape arithmetic that the importer folds at load time are held this way.
 */
public final class OnnxTensor {
    private final DataType type;
    private final long[] shape;
    private final float[] reals;
    private final long[] ints;

    private OnnxTensor(DataType type, long[] shape, float[] reals, long[] ints) {
        this.type = type;
        this.shape = shape.clone();
        this.reals = reals;
        this.ints = ints;
        long n = Dims.numel(shape);
        int length = reals != null ? reals.length : ints.length;
        if (n != length) {
            throw new IllegalArgumentException("tensor of shape " + Arrays.toString(shape) + " holds " + length
                    + " values");
        }
    }

    public static OnnxTensor ofFloats(long[] shape, float[] values) {
        return new OnnxTensor(DataType.FLOAT, shape, values, null);
    }

    /** Values of a float type (FLOAT, DOUBLE, FLOAT16, BFLOAT16), as float32. */
    public static OnnxTensor ofReals(DataType type, long[] shape, float[] values) {
        if (!type.isReal()) {
            throw new IllegalArgumentException(type + " is not a float type");
        }
        return new OnnxTensor(type, shape, values, null);
    }

    /** Values of an integer type or bool, as int64. */
    public static OnnxTensor ofLongs(DataType type, long[] shape, long[] values) {
        if (type.isReal() || type == DataType.STRING) {
            throw new IllegalArgumentException(type + " is not an integer type");
        }
        return new OnnxTensor(type, shape, null, values);
    }

    public static OnnxTensor scalarLong(long v) {
        return ofLongs(DataType.INT64, new long[0], new long[]{v});
    }

    /** A float32 tensor holding a fineturn tensor's values. */
    public static OnnxTensor of(Tensor t) {
        return ofFloats(Arrays.stream(t.shape()).asLongStream().toArray(), t.toArray());
    }

    /** Reads a serialized TensorProto, such as ONNX's test_data_set_N/input_K.pb files. */
    public static OnnxTensor read(Path pbFile) throws IOException {
        long size = Files.size(pbFile);
        if (size > OnnxFile.MAX_PROTO_BYTES) {
            throw new WeightFormatException(pbFile, "tensor file of " + size + " bytes is too large");
        }
        Onnx.TensorProto proto;
        try {
            proto = Onnx.TensorProto.parseFrom(Files.readAllBytes(pbFile));
        } catch (InvalidProtocolBufferException e) {
            throw new WeightFormatException(pbFile, "malformed TensorProto: " + e.getMessage(), e);
        }
        return new TensorDecoder(pbFile, null).decode(proto, "tensor '" + proto.getName() + "'");
    }

    public DataType type() {
        return type;
    }

    public long[] shape() {
        return shape.clone();
    }

    /** The shape as ints (a tensor that fits in memory has int-sized dimensions). */
    public int[] dims() {
        return Arrays.stream(shape).mapToInt(Math::toIntExact).toArray();
    }

    public int rank() {
        return shape.length;
    }

    public int size() {
        return reals != null ? reals.length : ints.length;
    }

    public boolean isReal() {
        return reals != null;
    }

    /** The values as float32 (integers converted). */
    public float[] floats() {
        if (reals != null) {
            return reals.clone();
        }
        float[] out = new float[ints.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = ints[i];
        }
        return out;
    }

    /** The values as int64 (floats truncated toward zero). */
    public long[] longs() {
        if (ints != null) {
            return ints.clone();
        }
        long[] out = new long[reals.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (long) reals[i];
        }
        return out;
    }

    float real(int i) {
        return reals != null ? reals[i] : ints[i];
    }

    long integer(int i) {
        return ints != null ? ints[i] : (long) reals[i];
    }

    /** The same values with another shape of equal size. */
    OnnxTensor reshape(long[] newShape) {
        return new OnnxTensor(type, newShape, reals, ints);
    }

    public Tensor toTensor(Backend backend) {
        return Tensor.of(backend, floats(), dims());
    }

    @Override
    public String toString() {
        return type + Arrays.toString(shape);
    }
}
