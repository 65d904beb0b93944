package dev.fineturn.io;

import java.nio.ByteBuffer;
import java.nio.file.Path;

/** Element types a weight file may declare, each converted to float32 on load. */
enum DType {
    F32(4), F16(2), BF16(2), F64(8), I64(8), I32(4), I16(2), I8(1), U8(1), BOOL(1);

    final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    static DType parse(Path file, String tensor, String name) throws WeightFormatException {
        try {
            return valueOf(name);
        } catch (IllegalArgumentException e) {
            throw new WeightFormatException(file, "tensor '" + tensor + "' has unsupported dtype '" + name + "'");
        }
    }

    float[] toFloats(ByteBuffer b, int count) {
        float[] out = new float[count];
        for (int i = 0; i < count; i++) {
            out[i] = switch (this) {
                case F32 -> b.getFloat();
                case F16 -> Float.float16ToFloat(b.getShort());
                case BF16 -> Float.intBitsToFloat((b.getShort() & 0xffff) << 16);
                case F64 -> (float) b.getDouble();
                case I64 -> (float) b.getLong();
                case I32 -> (float) b.getInt();
                case I16 -> b.getShort();
                case I8 -> b.get();
                case U8 -> b.get() & 0xff;
                case BOOL -> b.get() != 0 ? 1f : 0f;
            };
        }
        return out;
    }
}
