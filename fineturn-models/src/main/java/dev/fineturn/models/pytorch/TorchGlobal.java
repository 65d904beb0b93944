package dev.fineturn.models.pytorch;

import dev.fineturn.models.format.ElementType;

/**
 * The only Python globals a checkpoint's pickle may name. Each is an inert marker: the unpickler
 * never imports or runs anything, it only recognises these names and builds plain Java values.
 */
enum TorchGlobal {
    ORDERED_DICT("collections", "OrderedDict", null),
    REBUILD_TENSOR_V2("torch._utils", "_rebuild_tensor_v2", null),
    REBUILD_PARAMETER("torch._utils", "_rebuild_parameter", null),
    REBUILD_FROM_TYPE_V2("torch._tensor", "_rebuild_from_type_v2", null),
    TENSOR_TYPE("torch._tensor", "Tensor", null),
    PARAMETER_TYPE("torch.nn.parameter", "Parameter", null),
    FLOAT_STORAGE("torch", "FloatStorage", ElementType.FLOAT32),
    HALF_STORAGE("torch", "HalfStorage", ElementType.FLOAT16),
    BFLOAT16_STORAGE("torch", "BFloat16Storage", ElementType.BFLOAT16),
    DOUBLE_STORAGE("torch", "DoubleStorage", ElementType.FLOAT64),
    LONG_STORAGE("torch", "LongStorage", ElementType.INT64),
    INT_STORAGE("torch", "IntStorage", ElementType.INT32),
    BYTE_STORAGE("torch", "ByteStorage", ElementType.UINT8),
    BOOL_STORAGE("torch", "BoolStorage", ElementType.BOOL);

    final String module;
    final String name;
    /** The element type for storage classes, null for everything else. */
    final ElementType storageType;

    TorchGlobal(String module, String name, ElementType storageType) {
        this.module = module;
        this.name = name;
        this.storageType = storageType;
    }

    /** The allowed global with this module and name, or null. */
    static TorchGlobal find(String module, String name) {
        for (TorchGlobal g : values()) {
            if (g.module.equals(module) && g.name.equals(name)) {
                return g;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return module + "." + name;
    }
}
