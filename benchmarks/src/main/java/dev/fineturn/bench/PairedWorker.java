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
 *   setup infer MODEL THREADS             -> READY batch img        (InferenceBenchmark: logits, fused no-grad)
 *   setup features MODEL THREADS          -> READY batch img        (InferenceBenchmark: pooled features)
 *   setup ort MODEL THREADS               -> READY batch img onnxruntime-VERSION
 *                                            (ONNX Runtime on the model's ONNX export, checked against fineturn)
 *   run SECONDS                           -> RESULT calls elapsed-seconds
 *   quit
 * </pre>
 * MODEL is resnet18 or mobilenet_v2 at 64x64, batch 32. A setup warms its workload up for about two seconds
 * before it answers.
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
        AutoCloseable held = null;
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            String[] w = line.trim().split("\\s+");
            try {
                switch (w[0]) {
                    case "setup" -> {
                        call = null;
                        release(held);
                        held = null;
                        Workload workload = setup(w);
                        held = workload.resource();
                        call = workload.call();
                        run(call, warmUpSeconds);
                        answer(out, "READY " + workload.unitsPerCall() + " " + workload.unit()
                                + (workload.about().isEmpty() ? "" : " " + workload.about()));
                    }
                    case "run" -> {
                        if (call == null) {
                            throw new IllegalStateException("run before setup");
                        }
                        answer(out, "RESULT " + run(call, Double.parseDouble(argument(w, 1, "run SECONDS"))));
                    }
                    case "quit" -> {
                        release(held);
                        return;
                    }
                    default -> throw new IllegalArgumentException("unknown command '" + w[0] + "'");
                }
            } catch (RuntimeException e) {
                answer(out, "ERROR " + e);
            }
        }
        release(held);
    }

    /**
     * What one call runs and how much work it does; {@code resource} (or null) is closed when the next setup
     * replaces the workload, {@code about} names the system that runs it when that is not fineturn.
     */
    private record Workload(Runnable call, double unitsPerCall, String unit, AutoCloseable resource, String about) {
        Workload(Runnable call, double unitsPerCall, String unit) {
            this(call, unitsPerCall, unit, null, "");
        }
    }

    private static void release(AutoCloseable resource) {
        if (resource == null) {
            return;
        }
        try {
            resource.close();
        } catch (Exception e) {
            throw new IllegalStateException("could not release the previous workload: " + e, e);
        }
    }

    /** Word {@code i} of a command, or an error that shows the command's form. */
    private static String argument(String[] w, int i, String form) {
        if (i >= w.length) {
            throw new IllegalArgumentException("'" + String.join(" ", w) + "' is short of words: " + form);
        }
        return w[i];
    }

    private static Workload setup(String[] w) {
        switch (argument(w, 1, "setup gemm|conv|step|infer|features|ort ...")) {
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
            case "infer", "features" -> {
                InferenceBenchmark i = inference(w, w[1].equals("infer") ? "inference" : "features");
                return new Workload(i::run, i.batch, "img");
            }
            case "ort" -> {
                InferenceBenchmark i = inference(w, "inference");
                try {
                    OrtInference ort = new OrtInference(i.network(), i.input(), i.threads);
                    try {
                        ort.checkAgainst(i.network(), i.input(), i.model);
                    } catch (RuntimeException | ai.onnxruntime.OrtException e) {
                        ort.close();
                        throw e;
                    }
                    return new Workload(ort::run, i.batch, "img", ort, "onnxruntime-" + OrtInference.version());
                } catch (ai.onnxruntime.OrtException e) {
                    throw new IllegalStateException("ONNX Runtime session for " + i.model + ": " + e.getMessage(), e);
                }
            }
            default -> throw new IllegalArgumentException("unknown workload '" + w[1]
                    + "' (gemm, conv, step, infer, features or ort)");
        }
    }

    private static InferenceBenchmark inference(String[] w, String pass) {
        String form = "setup " + w[1] + " MODEL THREADS";
        InferenceBenchmark i = new InferenceBenchmark();
        i.backend = "cpu";
        i.model = argument(w, 2, form);
        i.pass = pass;
        i.threads = Integer.parseInt(argument(w, 3, form));
        i.batch = 32;
        i.size = 64;
        i.setup();
        return i;
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
