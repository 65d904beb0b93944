package dev.fineturn.cli;

import dev.fineturn.backend.Backends;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code fineturn backends}: every discovered backend, whether it works here, and why not. */
@Command(name = "backends", mixinStandardHelpOptions = true,
        description = "List the compute backends found, whether each is available, and why not.")
final class BackendsCommand implements Callable<Integer> {
    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Option(names = "--verbose", description = "Show stack traces on errors.")
    boolean verbose;

    @Override
    public Integer call() {
        List<Backends.Status> statuses = Backends.statuses();
        String chosen;
        try {
            chosen = Backends.defaultBackend().name();
        } catch (RuntimeException e) {
            chosen = "";
        }
        if (json) {
            StringBuilder b = new StringBuilder("{\"default\":\"").append(chosen).append("\",\"backends\":[");
            for (int i = 0; i < statuses.size(); i++) {
                Backends.Status s = statuses.get(i);
                b.append(i > 0 ? "," : "").append("{\"name\":\"").append(s.name()).append("\",\"priority\":")
                        .append(s.priority()).append(",\"available\":").append(s.available())
                        .append(",\"reason\":\"").append(escape(s.reason())).append("\"}");
            }
            System.out.println(b.append("]}"));
            return 0;
        }
        System.out.printf("%-10s %8s  %-9s %s%n", "backend", "priority", "available", "details");
        for (Backends.Status s : statuses) {
            System.out.printf("%-10s %8d  %-9s %s%s%n", s.name(), s.priority(), s.available() ? "yes" : "no",
                    s.reason(), s.name().equals(chosen) ? "   <- default" : "");
        }
        System.out.println();
        System.out.println("Choose one with --backend NAME, -D" + Backends.PROPERTY + "=NAME or " + Backends.ENVIRONMENT
                + "=NAME.");
        return 0;
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
