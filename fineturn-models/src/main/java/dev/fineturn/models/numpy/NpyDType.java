package dev.fineturn.models.numpy;

import dev.fineturn.models.format.ElementType;

import java.nio.ByteOrder;
import java.util.Map;

/** A {@code .npy} descr such as {@code <f4}: an element type and a byte order. */
record NpyDType(ElementType type, ByteOrder order) {
    private static final Map<String, ElementType> KINDS = Map.of("f4", ElementType.FLOAT32, "f8", ElementType.FLOAT64,
            "f2", ElementType.FLOAT16, "i8", ElementType.INT64, "i4", ElementType.INT32, "u1", ElementType.UINT8,
            "b1", ElementType.BOOL);
    static final String SUPPORTED = "<f4 <f8 <f2 <i8 <i4 |u1 |b1 (and big-endian >)";

    /** The dtype for a descr, or null when it is not one fineturn reads. */
    static NpyDType parse(String descr) {
        if (descr.length() != 3) {
            return null;
        }
        ElementType type = KINDS.get(descr.substring(1));
        if (type == null) {
            return null;
        }
        return switch (descr.charAt(0)) {
            case '<' -> new NpyDType(type, ByteOrder.LITTLE_ENDIAN);
            case '>' -> new NpyDType(type, ByteOrder.BIG_ENDIAN);
            case '=' -> new NpyDType(type, ByteOrder.nativeOrder());
            case '|' -> type.bytes() == 1 ? new NpyDType(type, ByteOrder.LITTLE_ENDIAN) : null;
            default -> null;
        };
    }
}
