package dev.fineturn.models.onnx;

import com.google.protobuf.ByteString;
import dev.fineturn.io.WeightFormatException;
import dev.fineturn.models.onnx.proto.Onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;

/**
 * Decodes TensorProtos: raw_data (little-endian), the typed fields, or external data. The
 * declared element count must match the stored data exactly, so a corrupt shape cannot make the
 * reader allocate more than the file holds.
 */
final class TensorDecoder {
    static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private final Path source;
    private final ExternalData external;

    TensorDecoder(Path source, ExternalData external) {
        this.source = source;
        this.external = external;
    }

    OnnxTensor decode(Onnx.TensorProto t, String what) throws WeightFormatException {
        DataType type = DataType.of(t.getDataType());
        if (type == null || type == DataType.STRING) {
            throw new UnsupportedOnnxException(source, what + " has element type " + t.getDataType()
                    + (type == null ? "" : " (" + type + ")") + ", which fineturn does not read");
        }
        if (t.hasSegment()) {
            throw new UnsupportedOnnxException(source, what + " is a segment of a larger tensor");
        }
        long[] shape = new long[t.getDimsCount()];
        long n = 1;
        for (int i = 0; i < shape.length; i++) {
            shape[i] = t.getDims(i);
            if (shape[i] < 0 || shape[i] > MAX_ELEMENTS) {
                throw new WeightFormatException(source, what + " has dimension " + shape[i]);
            }
            n *= shape[i];
            if (n > MAX_ELEMENTS) {
                throw new WeightFormatException(source, what + " declares more than " + MAX_ELEMENTS + " elements");
            }
        }
        int count = (int) n;
        if (t.getDataLocation() == Onnx.TensorProto.DataLocation.EXTERNAL) {
            if (external == null) {
                throw new WeightFormatException(source, what + " refers to external data, which is not available here");
            }
            byte[] bytes = external.read(t.getExternalDataList(), (long) count * type.bytes(), what);
            return fromBytes(type, shape, count, ByteString.copyFrom(bytes));
        }
        if (!t.getRawData().isEmpty() || count == 0) {
            long expected = (long) count * type.bytes();
            if (t.getRawData().size() != expected) {
                throw new WeightFormatException(source, what + " of shape " + Dims.str(shape) + " (" + type + ") needs "
                        + expected + " bytes of raw data, it holds " + t.getRawData().size());
            }
            return fromBytes(type, shape, count, t.getRawData());
        }
        return fromFields(t, type, shape, count, what);
    }

    private static OnnxTensor fromBytes(DataType type, long[] shape, int n, ByteString raw) {
        ByteBuffer b = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        if (type.isReal()) {
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = switch (type) {
                    case FLOAT -> b.getFloat();
                    case DOUBLE -> (float) b.getDouble();
                    case FLOAT16 -> Float.float16ToFloat(b.getShort());
                    default -> Float.intBitsToFloat((b.getShort() & 0xffff) << 16);
                };
            }
            return OnnxTensor.ofReals(type, shape, v);
        }
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
            v[i] = switch (type) {
                case UINT8, BOOL -> b.get() & 0xffL;
                case INT8 -> b.get();
                case UINT16 -> b.getShort() & 0xffffL;
                case INT16 -> b.getShort();
                case INT32 -> b.getInt();
                case UINT32 -> b.getInt() & 0xffffffffL;
                default -> b.getLong();
            };
        }
        return OnnxTensor.ofLongs(type, shape, v);
    }

    private OnnxTensor fromFields(Onnx.TensorProto t, DataType type, long[] shape, int n, String what)
            throws WeightFormatException {
        List<? extends Number> values = switch (type) {
            case FLOAT -> t.getFloatDataList();
            case DOUBLE -> t.getDoubleDataList();
            case INT64 -> t.getInt64DataList();
            case UINT32, UINT64 -> t.getUint64DataList();
            default -> t.getInt32DataList();
        };
        if (values.size() != n) {
            throw new WeightFormatException(source, what + " of shape " + Dims.str(shape) + " needs " + n
                    + " values, it holds " + values.size());
        }
        if (type.isReal()) {
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                Number x = values.get(i);
                v[i] = switch (type) {
                    case FLOAT16 -> Float.float16ToFloat((short) x.intValue());
                    case BFLOAT16 -> Float.intBitsToFloat((x.intValue() & 0xffff) << 16);
                    default -> x.floatValue();
                };
            }
            return OnnxTensor.ofReals(type, shape, v);
        }
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
            v[i] = type.wrap(values.get(i).longValue());
        }
        return OnnxTensor.ofLongs(type, shape, v);
    }
}
