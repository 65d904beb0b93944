package dev.fineturn.opencl;

import dev.fineturn.spi.Storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kernel entry points of the program's sources (the resources {@link ClContext#SOURCES} names),
 * each with its parameters as argument kinds: {@code buffer}, {@code int}, {@code float},
 * {@code long}, {@code Dims} or {@code Geo}.
 */
final class KernelSignatures {
    private static final Pattern KERNEL = Pattern.compile("(?:KERNEL|__kernel)\\s+void\\s+(\\w+)\\s*\\(([^)]*)\\)");

    private KernelSignatures() {
    }

    static Map<String, List<String>> entries() {
        Map<String, List<String>> out = new TreeMap<>();
        for (String resource : ClContext.SOURCES) {
            Matcher m = KERNEL.matcher(withoutComments(load(resource)));
            while (m.find()) {
                List<String> params = new ArrayList<>();
                for (String p : m.group(2).split(",")) {
                    params.add(kindOf(p.strip(), m.group(1)));
                }
                if (out.put(m.group(1), params) != null) {
                    throw new AssertionError("kernel " + m.group(1) + " is defined twice");
                }
            }
        }
        return out;
    }

    /** The parameter kind a launch argument fills. */
    static String kindOf(Object arg) {
        return switch (arg) {
            case Storage s -> "buffer";
            case Integer i -> "int";
            case Float f -> "float";
            case Long l -> "long";
            case int[] v when v.length == 8 -> "Dims";
            case int[] v when v.length == 16 -> "Geo";
            default -> "unsupported " + arg;
        };
    }

    private static String kindOf(String param, String kernel) {
        if (param.contains("*")) {
            return "buffer";
        }
        String type = param.replace("const ", "").strip().split("\\s+")[0];
        return switch (type) {
            case "int" -> "int";
            case "float" -> "float";
            case "long", "I64" -> "long";
            case "Dims", "Geo" -> type;
            default -> throw new AssertionError("kernel " + kernel + ": unknown parameter type in '" + param + "'");
        };
    }

    private static String withoutComments(String source) {
        return source.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\\n]*", "");
    }

    private static String load(String resource) {
        try (InputStream in = ClContext.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new AssertionError("missing kernel source " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
