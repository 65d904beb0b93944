package dev.fineturn.models.format;

import java.nio.ByteBuffer;

/** Element types found in weight files; every one is converted to float32 on load. */
public enum ElementType {
    FLOAT32(4), FLOAT16(2), BFLOAT16(2), FLOAT64(8), INT64(8), INT32(4), UINT8(1), BOOL(1);

    private final int bytes;

    ElementType(int bytes) {
        this.bytes = bytes;
    }

    public int bytes() {
        return bytes;
    }

    /** The element at a byte index, in the buffer's byte order, as a float. */
    public float read(ByteBuffer b, int byteIndex) {
        return switch (this) {
            case FLOAT32 -> b.getFloat(byteIndex);
            case FLOAT16 -> Float.float16ToFloat(b.getShort(byteIndex));
            case BFLOAT16 -> Float.intBitsToFloat((b.getShort(byteIndex) & 0xffff) << 16);
            case FLOAT64 -> (float) b.getDouble(byteIndex);
            case INT64 -> (float) b.getLong(byteIndex);
            case INT32 -> (float) b.getInt(byteIndex);
            case UINT8 -> b.get(byteIndex) & 0xff;
            case BOOL -> b.get(byteIndex) != 0 ? 1f : 0f;
        };
    }

    /** Converts {@code count} consecutive elements starting at the buffer's position into {@code out[from..]}. */
    public void readInto(ByteBuffer b, float[] out, int from, int count) {
        int base = b.position();
        for (int i = 0; i < count; i++) {
            out[from + i] = read(b, base + i * bytes);
        }
        b.position(base + count * bytes);
    }
}
