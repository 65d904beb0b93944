package dev.fineturn.models.pytorch;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/** Python-style names of unpickled values, for error messages that never print a whole object. */
final class Pickles {
    private Pickles() {
    }

    static String typeName(Object v) {
        return switch (v) {
            case null -> "None";
            case String s -> "str";
            case Long l -> "int";
            case BigInteger b -> "int";
            case Double d -> "float";
            case Boolean b -> "bool";
            case Map<?, ?> m -> "dict";
            case List<?> l -> "list";
            case PyTuple t -> "tuple";
            case TensorRef t -> "tensor";
            case StorageRef s -> "storage";
            case TorchGlobal g -> g.toString();
            default -> v.getClass().getSimpleName();
        };
    }
}
