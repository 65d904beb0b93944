package dev.fineturn.train;

import java.util.Locale;

/**
 * How a pretrained classifier is adapted to a new task.
 *
 * <ul>
 *   <li>{@code HEAD_ONLY}: freeze the backbone, train a new head (small data, similar domain);</li>
 *   <li>{@code FEATURES}: compute the frozen backbone's features once, train a head on them;</li>
 *   <li>{@code PARTIAL(k)}: freeze the first k blocks, train the rest (small data, dissimilar domain);</li>
 *   <li>{@code FULL}: train everything from the pretrained start (large data, similar domain);</li>
 *   <li>{@code SCRATCH}: random initialisation, the baseline (large data, dissimilar domain).</li>
 * </ul>
 */
public record Strategy(Kind kind, int frozenBlocks) {
    public enum Kind { HEAD_ONLY, FEATURES, PARTIAL, FULL, SCRATCH }

    public static final Strategy HEAD_ONLY = new Strategy(Kind.HEAD_ONLY, 0);
    public static final Strategy FEATURES = new Strategy(Kind.FEATURES, 0);
    public static final Strategy FULL = new Strategy(Kind.FULL, 0);
    public static final Strategy SCRATCH = new Strategy(Kind.SCRATCH, 0);

    public Strategy {
        if (frozenBlocks < 0 || kind != Kind.PARTIAL && frozenBlocks != 0) {
            throw new IllegalArgumentException("strategy " + kind + ": invalid frozen block count " + frozenBlocks);
        }
    }

    public static Strategy partial(int k) {
        return new Strategy(Kind.PARTIAL, k);
    }

    /** Parses {@code head}, {@code features}, {@code partial:K}, {@code full} or {@code scratch}. */
    public static Strategy parse(String s) {
        String v = s.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        if (v.startsWith("partial:") || v.startsWith("partial(")) {
            String k = v.substring(8).replace(")", "");
            try {
                return partial(Integer.parseInt(k));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("strategy '" + s + "': partial needs a block count, e.g. partial:3");
            }
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
        return kind == Kind.PARTIAL ? "partial:" + frozenBlocks : kind.name().toLowerCase(Locale.ROOT);
    }
}
