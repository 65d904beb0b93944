package dev.fineturn.models.onnx;

/**
 * ONNX tensor element types (TensorProto.DataType codes). Float-like types are held as float32
 * on the host and integer-like ones (including bool) as int64.
 */
public enum DataType {
    FLOAT(1, 4, true), UINT8(2, 1, false), INT8(3, 1, false), UINT16(4, 2, false), INT16(5, 2, false),
    INT32(6, 4, false), INT64(7, 8, false), STRING(8, 0, false), BOOL(9, 1, false), FLOAT16(10, 2, true),
    DOUBLE(11, 8, true), UINT32(12, 4, false), UINT64(13, 8, false), BFLOAT16(16, 2, true);

    private final int code;
    private final int bytes;
    private final boolean real;

    DataType(int code, int bytes, boolean real) {
        this.code = code;
        this.bytes = bytes;
        this.real = real;
    }

    public int code() {
        return code;
    }

    /** Bytes per element in raw_data and external data. */
    public int bytes() {
        return bytes;
    }

    public boolean isReal() {
        return real;
    }

    /** The type with this code, or null when fineturn does not know it (complex, float8, ...). */
    public static DataType of(int code) {
        for (DataType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }

    /** Wraps an integer to this type's range, as a C cast would. */
    long wrap(long v) {
        return switch (this) {
            case UINT8 -> v & 0xffL;
            case INT8 -> (byte) v;
            case UINT16 -> v & 0xffffL;
            case INT16 -> (short) v;
            case INT32 -> (int) v;
            case UINT32 -> v & 0xffffffffL;
            case BOOL -> v != 0 ? 1 : 0;
            default -> v;
        };
    }

    /** Rounds a value to what this float type can hold. */
    float round(double v) {
        return switch (this) {
            case FLOAT16 -> Float.float16ToFloat(Float.floatToFloat16((float) v));
            case BFLOAT16 -> Float.intBitsToFloat(bfloat16Bits((float) v) << 16);
            default -> (float) v;
        };
    }

    /** Round-to-nearest-even bfloat16 bits of a float (NaN stays NaN). */
    static int bfloat16Bits(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (bits >>> 16) | 0x40;
        }
        return (bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16;
    }
}
