package dev.fineturn.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The suite's command line: {@code [--quick] [--backend a,b] [--only gemm,conv,resnet] [--json FILE]}. */
record SuiteArgs(boolean quick, List<String> backends, List<String> families, Path json) {

    static SuiteArgs parse(String... args) {
        boolean quick = false;
        List<String> backends = List.of();
        List<String> families = Suite.FAMILIES;
        Path json = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--backend" -> backends = list(args, ++i, "--backend");
                case "--only" -> {
                    families = list(args, ++i, "--only");
                    List<String> unknown = new ArrayList<>(families);
                    unknown.removeAll(Suite.FAMILIES);
                    if (!unknown.isEmpty()) {
                        throw new IllegalArgumentException("--only: unknown benchmark " + unknown
                                + " (known: " + String.join(", ", Suite.FAMILIES) + ")");
                    }
                }
                case "--json" -> json = Path.of(value(args, ++i, "--json"));
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (known: --quick, --backend, --only, --json)");
            }
        }
        return new SuiteArgs(quick, backends, families, json);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length || args[i].startsWith("--")) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static List<String> list(String[] args, int i, String option) {
        return Arrays.stream(value(args, i, option).split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }
}
