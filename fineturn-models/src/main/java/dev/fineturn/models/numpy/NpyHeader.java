package dev.fineturn.models.numpy;

import dev.fineturn.models.format.Printable;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** The header dict of a {@code .npy} file: {@code {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }}. */
record NpyHeader(String descr, boolean fortranOrder, long[] shape) {
    private static final Set<String> KEYS = Set.of("descr", "fortran_order", "shape");

    /** Parses and checks the header text; problems come back as an {@link IllegalArgumentException}. */
    static NpyHeader parse(String text) {
        if (!(PythonLiteral.parse(text) instanceof Map<?, ?> dict)) {
            throw new IllegalArgumentException("the header is not a dict");
        }
        if (!dict.keySet().equals(KEYS)) {
            throw new IllegalArgumentException("the header has keys " + Printable.text(dict.keySet().toString()) + ", expected "
                    + KEYS);
        }
        if (!(dict.get("descr") instanceof String descr)) {
            throw new IllegalArgumentException("descr " + Printable.text(String.valueOf(dict.get("descr")))
                    + " is not a simple dtype (structured "
                    + "arrays are not supported)");
        }
        if (!(dict.get("fortran_order") instanceof Boolean fortran)) {
            throw new IllegalArgumentException("fortran_order is not True or False");
        }
        if (!(dict.get("shape") instanceof List<?> dims)) {
            throw new IllegalArgumentException("shape is not a tuple");
        }
        long[] shape = new long[dims.size()];
        for (int i = 0; i < shape.length; i++) {
            if (!(dims.get(i) instanceof Long d) || d < 0) {
                throw new IllegalArgumentException("shape " + Printable.text(dims.toString()) + " has an invalid dimension "
                        + Printable.text(String.valueOf(dims.get(i))));
            }
            shape[i] = d;
        }
        return new NpyHeader(descr, fortran, shape);
    }
}
