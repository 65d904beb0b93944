package dev.fineturn.models.advise;

import dev.fineturn.data.Dataset;
import dev.fineturn.data.Sample;
import dev.fineturn.data.Resize;
import dev.fineturn.models.graph.GraphModel;
import dev.fineturn.nn.Classifier;
import dev.fineturn.tensor.GradMode;
import dev.fineturn.tensor.Tensor;
import dev.fineturn.train.Strategy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Turns the transfer-learning guide (data size x similarity to the pretraining domain) into a
 * measurement. Size is samples per class. Similarity is how much better a linear probe does on the
 * frozen backbone's features (at several depths) than on raw pixels: features that beat pixels
 * clearly come from a similar domain. Then:
 * small+similar: retrain the last layer on the frozen backbone (cut at the best probed depth);
 * small+dissimilar: cut there too, freeze the layers up to the first probed depth and fine-tune
 * the rest; large+similar: fine-tune everything from the pretrained start; large+dissimilar: train
 * from scratch. Fewer than {@value #MIN_FINE_TUNE} samples per class get a convex head on frozen
 * features only.
 */
public final class Advisor {
    /** Below this many samples per class a data set counts as small. */
    public static final double SMALL = 1000;
    /** A probe gain over raw pixels of at least this much counts as a similar domain. */
    public static final double SIMILAR_GAIN = 0.15;
    /** Below this many samples per class only a convex head on frozen features is trained. */
    public static final double MIN_FINE_TUNE = 20;
    private static final int PROBE_SAMPLES = 400;

    private Advisor() {
    }

    /** The probe point that stands for a model's final features (any classifier has it). */
    public static final String FEATURES = "features";

    /**
     * Default probe points: for an imported graph, {@value #PROBES} depths spread evenly up to the
     * deepest node that still yields a feature map at {@code size x size} input (a source's
     * fixed-size pooling near the top may not fit a smaller input), at each depth the widest node
     * among the few before it (in bottleneck networks the expanded activations, whose features
     * probe best); for other classifiers their final features.
     */
    public static List<String> defaultProbes(Classifier model, int size) {
        if (!(model instanceof GraphModel g)) {
            return List.of(FEATURES);
        }
        List<String> nodes = new ArrayList<>(g.children().keySet());
        int deepest = deepestSpatialNode(g, nodes, size);
        boolean training = g.isTraining();
        g.eval();
        Map<String, int[]> shapes;
        try {
            shapes = g.nodeShapes(Tensor.zeros(g.parameters().get(0).backend(), 1, g.inputChannels(), size, size),
                    deepest + 1);
        } finally {
            g.train(training);
        }
        int window = Math.max(1, (deepest + 1) / (2 * PROBES));
        List<String> out = new ArrayList<>();
        for (int q = 1; q <= PROBES; q++) {
            int end = deepest * q / PROBES;
            String widest = nodes.get(end);
            for (int i = Math.max(0, end - window + 1); i <= end; i++) {
                int[] sh = shapes.get(nodes.get(i));
                int[] best = shapes.get(widest);
                if (sh != null && sh.length == 4 && (best == null || best.length != 4 || sh[1] > best[1])) {
                    widest = nodes.get(i);
                }
            }
            if (!out.contains(widest)) {
                out.add(widest);
            }
        }
        return out;
    }

    private static final int PROBES = 6;

    private static int deepestSpatialNode(GraphModel g, List<String> nodes, int size) {
        var backend = g.parameters().get(0).backend();
        boolean training = g.isTraining();
        g.eval();
        try (var grad = GradMode.noGrad()) {
            Tensor x = Tensor.zeros(backend, 1, g.inputChannels(), size, size);
            for (int i = nodes.size() - 1; i > 0; i--) {
                try {
                    if (g.activation(x, nodes.get(i)).rank() == 4) {
                        return i;
                    }
                } catch (IllegalArgumentException tooSmall) {
                    // a layer on the way does not fit this input size; try a shallower node
                }
            }
        } finally {
            g.train(training);
        }
        throw new IllegalArgumentException("advise: no layer of the model yields a feature map at " + size + "x" + size
                + " input");
    }

    public static Advice advise(Classifier model, Dataset data, List<String> probeNodes, int size, long seed) {
        int classes = data.numClasses();
        double perClass = (double) data.size() / classes;
        int[] idx = sample(data.size(), Math.min(PROBE_SAMPLES, data.size()), seed);
        int nTrain = idx.length * 3 / 4;
        int[] labels = new int[idx.length];
        for (int i = 0; i < idx.length; i++) {
            labels[i] = data.get(idx[i]).label();
        }
        Map<String, Double> probe = new LinkedHashMap<>();
        probe.put("pixels", RidgeProbe.heldOutAccuracy(pixels(data, idx), labels, classes, nTrain, 1.0));
        for (String node : probeNodes) {
            probe.put(node, RidgeProbe.heldOutAccuracy(features(model, data, idx, node), labels, classes, nTrain, 1.0));
        }
        String bestNode = null;
        double best = Double.NEGATIVE_INFINITY;
        for (String node : probeNodes) {
            if (probe.get(node) > best) {
                best = probe.get(node);
                bestNode = node;
            }
        }
        double gain = best - probe.get("pixels");
        boolean small = perClass < SMALL;
        boolean similar = gain >= SIMILAR_GAIN;
        String first = probeNodes.isEmpty() ? null : probeNodes.get(0);
        Strategy s;
        String freezeThrough = null;
        double lr = 1e-3;
        double factor = 0.1;
        String why;
        if (perClass < MIN_FINE_TUNE) {
            s = Strategy.FEATURES;
            why = String.format("%.0f samples per class are too few to fine-tune reliably: fit a convex head on the "
                    + "frozen features at %s (probe %.2f, raw pixels %.2f).", perClass, bestNode, best,
                    probe.get("pixels"));
        } else if (small && similar) {
            s = Strategy.HEAD_ONLY;
            why = String.format("%.0f samples per class is small and features at %s beat raw pixels by %.2f "
                    + "(similar domain): retrain only the last layer on the frozen backbone, starting from a convex "
                    + "head.", perClass, bestNode, gain);
        } else if (small) {
            boolean graph = model instanceof GraphModel && first != null && !first.equals(bestNode);
            freezeThrough = graph ? first : null;
            s = Strategy.partial(graph ? blockIndex(model, first) + 1 : Math.max(1, model.children().size() / 2));
            why = String.format("%.0f samples per class is small and the features beat raw pixels by only %.2f "
                    + "(dissimilar domain): keep the general early layers%s frozen and fine-tune the rest at low, "
                    + "layer-wise decaying rates, starting from a convex head.", perClass, gain,
                    freezeThrough != null ? " up to " + freezeThrough : "");
        } else if (similar) {
            s = Strategy.FULL;
            why = String.format("%.0f samples per class is large and the domain is similar (gain %.2f): fine-tune "
                    + "everything from the pretrained weights at 1e-4 with a decaying rate.", perClass, gain);
        } else {
            s = Strategy.SCRATCH;
            factor = 1.0;
            why = String.format("%.0f samples per class is large and the domain is dissimilar (gain %.2f): train "
                    + "from scratch.", perClass, gain);
        }
        return new Advice(s, bestNode, freezeThrough, lr, factor, "cosine", perClass, small, similar, probe, why);
    }

    private static int blockIndex(Classifier model, String node) {
        return new ArrayList<>(model.children().keySet()).indexOf(GraphModel.sanitize(node));
    }

    private static int[] sample(int n, int k, long seed) {
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        SplittableRandom r = new SplittableRandom(seed ^ 0x5DEECE66DL);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        return java.util.Arrays.copyOf(all, k);
    }

    private static GraphModel requireGraph(Classifier model, String node) {
        if (model instanceof GraphModel g) {
            return g;
        }
        throw new IllegalArgumentException("advise: probing the layer '" + node + "' needs an imported graph model; "
                + "other models are probed on their '" + FEATURES + "'");
    }

    /** Raw pixels, downsampled to 16x16 so the probe compares like with like. */
    private static double[][] pixels(Dataset data, int[] idx) {
        double[][] out = new double[idx.length][];
        for (int i = 0; i < idx.length; i++) {
            Sample s = data.get(idx[i]);
            float[] small = Resize.bilinear(s.pixels(), s.channels(), s.height(), s.width(), 16, 16);
            out[i] = new double[small.length];
            for (int j = 0; j < small.length; j++) {
                out[i][j] = small[j];
            }
        }
        return out;
    }

    /** Globally average-pooled activations of one node, or the model's features. */
    private static double[][] features(Classifier model, Dataset data, int[] idx, String node) {
        var backend = model.parameters().get(0).backend();
        double[][] out = new double[idx.length][];
        boolean training = model.isTraining();
        model.eval();
        try (var g = GradMode.noGrad()) {
            int batch = 32;
            int[] shape = data.sampleShape();
            for (int start = 0; start < idx.length; start += batch) {
                int n = Math.min(batch, idx.length - start);
                float[] px = new float[n * shape[0] * shape[1] * shape[2]];
                for (int i = 0; i < n; i++) {
                    float[] p = data.get(idx[start + i]).pixels();
                    System.arraycopy(p, 0, px, i * p.length, p.length);
                }
                Tensor x = Tensor.of(backend, px, n, shape[0], shape[1], shape[2]);
                Tensor a = node.equals(FEATURES) ? model.features(x)
                        : requireGraph(model, node).activation(x, node);
                Tensor pooled = a.rank() == 4 ? a.mean(new int[]{2, 3}, false) : a;
                float[] v = pooled.toArray();
                int d = v.length / n;
                for (int i = 0; i < n; i++) {
                    out[start + i] = new double[d];
                    for (int j = 0; j < d; j++) {
                        out[start + i][j] = v[i * d + j];
                    }
                }
            }
        } finally {
            model.train(training);
        }
        return out;
    }
}
