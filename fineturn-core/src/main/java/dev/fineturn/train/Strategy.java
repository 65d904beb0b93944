package dev.fineturn.train;

import java.util.Locale;

/**
 * How a pretrained classifier is adapted to a new task.
 *
 * <ul>
 *   <li>{@code HEAD_ONLY}: freeze the backbone, train a new head (small data, similar domain);</li>
 *   <li>{@code FEATURES}: compute the frozen backbone's features once, train a head on them;</li>
 *   <li>{@code PARTIAL(k)}: freeze the first k blocks, train the rest (small data, dissimilar domain);
 *   {@link #freezeUpTo(String)} names the last frozen module instead;</li>
 *   <li>{@code FULL}: train everything from the pretrained start (large data, similar domain);</li>
 *   <li>{@code SCRATCH}: random initialisation, the baseline (large data, dissimilar domain).</li>
 * </ul>
 *
 * A <em>block</em> is a direct child of the model, in forward order: for the built-in
 * architectures the stages torchvision names ({@code conv1}, {@code bn1}, ..., {@code layer1} ...
 * {@code layer4}, {@code fc} for ResNet; {@code features.0} ... for MobileNetV2 and VGG), and for
 * an imported graph (ONNX, Keras, TF.js) each layer of the graph in topological order, so
 * {@code partial(98)} on MobileNetV2 freezes its first 98 layers. {@code Layer.children()}
 * lists them.
 *
 * @param frozenThrough for {@link #freezeUpTo(String)}: the dotted name of the last frozen module
 */
public record Strategy(Kind kind, int frozenBlocks, String frozenThrough) {
    public enum Kind { HEAD_ONLY, FEATURES, PARTIAL, FULL, SCRATCH }

    public static final Strategy HEAD_ONLY = new Strategy(Kind.HEAD_ONLY, 0);
    public static final Strategy FEATURES = new Strategy(Kind.FEATURES, 0);
    public static final Strategy FULL = new Strategy(Kind.FULL, 0);
    public static final Strategy SCRATCH = new Strategy(Kind.SCRATCH, 0);

    public Strategy {
        if (frozenBlocks < 0 || kind != Kind.PARTIAL && frozenBlocks != 0) {
            throw new IllegalArgumentException("strategy " + kind + ": invalid frozen block count " + frozenBlocks);
        }
        if (frozenThrough != null && (kind != Kind.PARTIAL || frozenBlocks != 0 || frozenThrough.isBlank())) {
            throw new IllegalArgumentException("strategy " + kind + ": a frozen module name ('" + frozenThrough
                    + "') goes only with partial, and not with a block count");
        }
    }

    public Strategy(Kind kind, int frozenBlocks) {
        this(kind, frozenBlocks, null);
    }

    /** Freezes the first {@code k} blocks (direct children) and trains the rest. */
    public static Strategy partial(int k) {
        return new Strategy(Kind.PARTIAL, k);
    }

    /**
     * Freezes every module up to and including {@code module} (a dotted name such as
     * {@code "layer2"} or {@code "features.6"}, in forward order) and trains the rest, head included.
     */
    public static Strategy freezeUpTo(String module) {
        return new Strategy(Kind.PARTIAL, 0, module);
    }

    /**
     * Parses {@code head}, {@code features}, {@code partial:K} (a block count), {@code partial:NAME}
     * (the last frozen module), {@code full} or {@code scratch}.
     */
    public static Strategy parse(String s) {
        String v = s.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        if (v.startsWith("partial:") || v.startsWith("partial(")) {
            String k = s.trim().substring(8).replace(")", "").trim();
            if (k.isEmpty()) {
                throw new IllegalArgumentException("strategy '" + s + "': partial needs a block count or a module "
                        + "name, e.g. partial:3 or partial:layer2");
            }
            return k.chars().allMatch(Character::isDigit) ? partial(Integer.parseInt(k)) : freezeUpTo(k);
        }
        return switch (v) {
            case "head", "head_only", "transfer" -> HEAD_ONLY;
            case "features", "feature_vectors" -> FEATURES;
            case "full", "finetune", "fine_tune" -> FULL;
            case "scratch" -> SCRATCH;
            default -> throw new IllegalArgumentException("unknown strategy '" + s
                    + "'; known: head, features, partial:K, full, scratch");
        };
    }

    /** True when the backbone keeps its pretrained weights. */
    public boolean usesPretrainedWeights() {
        return kind != Kind.SCRATCH;
    }

    @Override
    public String toString() {
        return kind == Kind.PARTIAL ? "partial:" + (frozenThrough != null ? frozenThrough : frozenBlocks)
                : kind.name().toLowerCase(Locale.ROOT);
    }
}
