package dev.fineturn.models.onnx;

import java.util.HashMap;
import java.util.Map;

/** The operators the importer maps to run-time steps, by ONNX op type. */
final class Converters {
    private Converters() {
    }

    static Map<String, Converter> all() {
        Map<String, Converter> m = new HashMap<>();
        ActivationImport.register(m);
        ElementwiseImport.register(m);
        ConvImport.register(m);
        PoolImport.register(m);
        DenseImport.register(m);
        NormImport.register(m);
        ShapeImport.register(m);
        MiscImport.register(m);
        return Map.copyOf(m);
    }
}
