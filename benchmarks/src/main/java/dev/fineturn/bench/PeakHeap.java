package dev.fineturn.bench;

import dev.fineturn.ops.Losses;
import dev.fineturn.tensor.GradMode;
import dev.fineturn.tensor.Tensor;

import java.util.List;
import java.util.Locale;

/**
 * The peak live heap of one ResNet-18 step (64x64, batch 32, as {@link ResNetStepBenchmark} runs it) for each
 * mode given (head, partial, full, inference; all four by default): after two steps that allocate every buffer
 * the model and optimiser keep, two steps with a full collection at each probe point (before and after each
 * step; after the max pool, each residual block and the average pool; then, training, after the loss, the
 * backward pass and the optimiser step), and the largest heap in use after one. Prints one line per mode:
 * <pre>
 *   HEAP step:MODE threads=T peak-live X MiB at POINT rest Y MiB
 * </pre>
 * "rest" is the live heap before the first of them (weights, optimiser state, the input batch, reused
 * buffers). Run with {@code -XX:+UseSerialGC}, whose heap in use after a full collection is the live data (G1
 * counts whole regions for large arrays):
 * {@code java -XX:+UseSerialGC --add-modules jdk.incubator.vector -cp benchmarks.jar dev.fineturn.bench.PeakHeap
 * [--threads T] [MODE...]}
 */
public final class PeakHeap {
    private static final double MIB = 1024.0 * 1024.0;
    /**
     * Steps read; more than one because the kernels' per-thread scratch arrays grow on whichever pool thread
     * runs a layer, so the heap between two steps moves by a few MiB.
     */
    private static final int PROBED_STEPS = 2;

    private PeakHeap() {
    }

    public static void main(String[] args) {
        int threads = 2;
        List<String> modes = new java.util.ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--threads") && i + 1 < args.length) {
                threads = Integer.parseInt(args[++i]);
            } else {
                modes.add(args[i]);
            }
        }
        if (modes.isEmpty()) {
            modes = List.of("inference", "head", "partial", "full");
        }
        for (String mode : modes) {
            System.out.println(measure(mode, threads));
        }
    }

    static String measure(String mode, int threads) {
        if (!List.of("head", "partial", "full", "inference").contains(mode)) {
            throw new IllegalArgumentException("unknown mode '" + mode + "'; known: head, partial, full, inference");
        }
        ResNetStepBenchmark s = new ResNetStepBenchmark();
        s.backend = "cpu";
        s.mode = mode;
        s.threads = threads;
        s.batch = 32;
        s.size = 64;
        s.setup();
        HeapProbe probe = new HeapProbe();
        ProbedLayer.wrap(s.model(), probe);
        step(s, probe);
        step(s, probe);
        probe.start();
        probe.at("between steps");
        long rest = probe.peak();
        for (int i = 0; i < PROBED_STEPS; i++) {
            step(s, probe);
            probe.at("between steps");
        }
        probe.stop();
        return String.format(Locale.ROOT, "HEAP step:%s threads=%d peak-live %.1f MiB at %s rest %.1f MiB", mode,
                threads, probe.peak() / MIB, probe.where(), rest / MIB);
    }

    private static void step(ResNetStepBenchmark s, HeapProbe probe) {
        if (s.mode.equals("inference")) {
            try (var g = GradMode.noGrad()) {
                Tensor y = s.model().forward(s.input());
                probe.at("logits", y);
            }
            return;
        }
        Tensor loss = Losses.crossEntropy(s.model().forward(s.input()), s.labels(), 0f);
        probe.at("loss, before backward", loss);
        loss.backward();
        probe.at("after backward", loss);
        s.optimizer().step();
        probe.at("after optimiser step", loss);
        s.optimizer().zeroGrad();
    }
}
