package dev.fineturn.cuda;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The entry points of the committed PTX and their parameter types (u32, f32, u64, or b8[size]). */
final class PtxSignatures {
    private static final Pattern ENTRY = Pattern.compile("\\.visible \\.entry (\\w+)\\(([^)]*)\\)");
    private static final Pattern PARAM = Pattern.compile("\\.param (?:\\.align \\d+ )?\\.(\\w+) \\w+(?:\\[(\\d+)])?");

    private PtxSignatures() {
    }

    static String ptx() {
        byte[] b = CudaBackend.ptx();
        return new String(b, 0, b.length - 1, StandardCharsets.UTF_8);
    }

    /** Kernel name to its parameter types, e.g. {@code [u64, u32, u32, f32]} or {@code b8[64]}. */
    static Map<String, List<String>> entries() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        Matcher m = ENTRY.matcher(ptx());
        while (m.find()) {
            List<String> params = new ArrayList<>();
            Matcher p = PARAM.matcher(m.group(2));
            while (p.find()) {
                params.add(p.group(2) == null ? p.group(1) : p.group(1) + "[" + p.group(2) + "]");
            }
            out.put(m.group(1), params);
        }
        return out;
    }

    /** Kernels whose PTX synchronises the block (bar.sync): their threads must run concurrently. */
    static Set<String> synchronizing() {
        Set<String> out = new TreeSet<>();
        String[] parts = ptx().split("\\.visible \\.entry ");
        for (int i = 1; i < parts.length; i++) {
            if (parts[i].contains("bar.sync")) {
                out.add(parts[i].substring(0, parts[i].indexOf('(')));
            }
        }
        return out;
    }

    /** The PTX parameter type a Java launch argument must meet. */
    static String typeOf(Object arg) {
        if (arg instanceof Integer) {
            return "u32";
        }
        if (arg instanceof Float) {
            return "f32";
        }
        if (arg instanceof Long || arg instanceof dev.fineturn.spi.Storage) {
            return "u64";
        }
        if (arg instanceof int[] v) {
            return "b8[" + v.length * 4 + "]";
        }
        throw new AssertionError("unexpected argument " + arg);
    }
}
