package dev.fineturn.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * fineturn's half of {@code benchmarks/scripts/paired.py}, which times a peer and fineturn turn by turn on the
 * same workload, so that both see the same host. It runs the JMH benchmarks' own states, so a paired figure
 * measures exactly what the JMH tables do. One command per line on stdin, one answer per line on stdout:
 * <pre>
 *   setup gemm N THREADS                  -> READY 2n^3 FLOP
 *   setup conv LAYER PASS THREADS         -> READY flops FLOP       (LAYER and PASS as in ConvBenchmark)
 *   setup step MODE THREADS               -> READY batch img        (MODE as in ResNetStepBenchmark)
 *   run SECONDS                           -> RESULT calls elapsed-seconds
 *   quit
 * </pre>
 * A setup warms its workload up for about two seconds before it answers.
 */
public final class PairedWorker {
    private static final double WARM_UP_SECONDS = 2;

    private PairedWorker() {
    }

    public static void main(String[] args) throws java.io.IOException {
        serve(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)), System.out,
                WARM_UP_SECONDS);
    }

    /**
     * Answers the commands of {@code in} on {@code out} until "quit" or the end of the input; a setup first runs
     * its workload for {@code warmUpSeconds}.
     */
    static void serve(BufferedReader in, PrintStream out, double warmUpSeconds) throws java.io.IOException {
        Runnable call = null;
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            String[] w = line.trim().split("\\s+");
            try {
                switch (w[0]) {
                    case "setup" -> {
                        Workload workload = setup(w);
                        call = workload.call();
                        run(call, warmUpSeconds);
                        answer(out, "READY " + workload.unitsPerCall() + " " + workload.unit());
                    }
                    case "run" -> {
                        if (call == null) {
                            throw new IllegalStateException("run before setup");
                        }
                        answer(out, "RESULT " + run(call, Double.parseDouble(argument(w, 1, "run SECONDS"))));
                    }
                    case "quit" -> {
                        return;
                    }
                    default -> throw new IllegalArgumentException("unknown command '" + w[0] + "'");
                }
            } catch (RuntimeException e) {
                answer(out, "ERROR " + e);
            }
        }
    }

    private record Workload(Runnable call, double unitsPerCall, String unit) {
    }

    /** Word {@code i} of a command, or an error that shows the command's form. */
    private static String argument(String[] w, int i, String form) {
        if (i >= w.length) {
            throw new IllegalArgumentException("'" + String.join(" ", w) + "' is short of words: " + form);
        }
        return w[i];
    }

    private static Workload setup(String[] w) {
        switch (argument(w, 1, "setup gemm|conv|step ...")) {
            case "gemm" -> {
                GemmBenchmark g = new GemmBenchmark();
                g.backend = "cpu";
                g.n = Integer.parseInt(argument(w, 2, "setup gemm N THREADS"));
                g.threads = Integer.parseInt(argument(w, 3, "setup gemm N THREADS"));
                g.queue = 1;
                g.setup();
                return new Workload(g::gemm, 2.0 * g.n * g.n * g.n, "FLOP");
            }
            case "conv" -> {
                ConvBenchmark c = new ConvBenchmark();
                c.backend = "cpu";
                c.layer = argument(w, 2, "setup conv LAYER PASS THREADS");
                c.pass = argument(w, 3, "setup conv LAYER PASS THREADS");
                c.threads = Integer.parseInt(argument(w, 4, "setup conv LAYER PASS THREADS"));
                c.setup();
                return new Workload(c::conv, ConvBenchmark.flops(c.layer, c.pass), "FLOP");
            }
            case "step" -> {
                ResNetStepBenchmark s = new ResNetStepBenchmark();
                s.backend = "cpu";
                s.mode = argument(w, 2, "setup step MODE THREADS");
                s.threads = Integer.parseInt(argument(w, 3, "setup step MODE THREADS"));
                s.batch = 32;
                s.size = 64;
                s.setup();
                return new Workload(s::step, s.batch, "img");
            }
            default -> throw new IllegalArgumentException("unknown workload '" + w[1] + "' (gemm, conv or step)");
        }
    }

    /** Calls {@code call} until {@code seconds} have passed; "calls elapsed-seconds". */
    private static String run(Runnable call, double seconds) {
        long t0 = System.nanoTime();
        long end = t0 + (long) (seconds * 1e9);
        long calls = 0;
        long now;
        do {
            call.run();
            calls++;
            now = System.nanoTime();
        } while (now < end);
        return calls + " " + (now - t0) * 1e-9;
    }

    private static void answer(PrintStream out, String line) {
        out.println(line);
        out.flush();
    }
}
