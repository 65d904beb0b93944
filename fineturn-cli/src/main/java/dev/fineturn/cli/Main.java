package dev.fineturn.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code fineturn} command. */
@Command(name = "fineturn", mixinStandardHelpOptions = true, version = "fineturn 0.1.0",
        description = "Fine-tuning and transfer learning of pretrained convolutional networks.",
        subcommands = {DemoCommand.class, FinetuneCommand.class, FeaturesCommand.class, LrFindCommand.class, SweepCommand.class,
                PredictCommand.class, EvaluateCommand.class, InspectCommand.class, AdviseCommand.class,
                VisualizeCommand.class, BenchCommand.class, BackendsCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code; errors print one line unless --verbose. */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        boolean verbose = java.util.Arrays.asList(args).contains("--verbose");
        if (!verbose) {
            // Backend selection logs skipped backends at INFO; `fineturn backends` shows them anyway.
            java.util.logging.Logger.getLogger("dev.fineturn.backend").setLevel(java.util.logging.Level.WARNING);
        }
        cl.setExecutionExceptionHandler((ex, line, parse) -> {
            if (verbose) {
                ex.printStackTrace(line.getErr());
            } else {
                line.getErr().println("fineturn: " + ex.getMessage());
            }
            return 1;
        });
        cl.setParameterExceptionHandler((ex, given) -> {
            CommandLine c = ex.getCommandLine();
            String name = c.getCommandSpec().qualifiedName();
            java.util.List<String> unknown = c.getUnmatchedArguments().stream().filter(a -> a.startsWith("-")).toList();
            String message = unknown.isEmpty() ? ex.getMessage() : "unknown option " + unknown.getFirst();
            c.getErr().println(name + ": " + message + " (see " + name + " --help)");
            return 2;
        });
        return cl.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
