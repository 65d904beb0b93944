package dev.fineturn.train;

import dev.fineturn.nn.BatchNorm2d;
import dev.fineturn.nn.Classifier;
import dev.fineturn.nn.Init;
import dev.fineturn.nn.Layer;
import dev.fineturn.optim.AdamW;
import dev.fineturn.optim.Optimizer;
import dev.fineturn.optim.ParamGroup;
import dev.fineturn.optim.Sgd;
import dev.fineturn.tensor.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/** Prepares a pretrained classifier for a strategy: head, freezing and parameter groups. */
public final class TransferSetup {
    private TransferSetup() {
    }

    /**
     * Gives the model a fresh head for {@code numClasses} (He initialisation) and freezes what the
     * strategy keeps fixed; SCRATCH re-initialises every parameter first.
     */
    public static void apply(Classifier model, Strategy strategy, int numClasses) {
        apply(model, strategy, numClasses, TrainConfig.defaultsFor(strategy));
    }

    /**
     * As {@link #apply(Classifier, Strategy, int)}, and sets batch norm up for the strategy: layers
     * of a pretrained network normalise with their running statistics when
     * {@code cfg.frozenBatchNorm()}; a network trained from scratch gets PyTorch's momentum of 0.1
     * where its source's was lower (Keras' 0.99-0.999 leave the running statistics near their reset
     * values after a few hundred steps, so such a model would be evaluated with the wrong ones).
     * Returns what it changed, in words, for reports.
     */
    public static List<String> apply(Classifier model, Strategy strategy, int numClasses, TrainConfig cfg) {
        applyFreezing(model, strategy, numClasses);
        List<String> notes = new ArrayList<>();
        if (cfg.headHidden() > 0) {
            model.replaceHeadWithMlp(numClasses, cfg.headHidden(), Init.Scheme.HE);
            notes.add("head: " + model.headBlock() + ", trained with SGD epochs");
        }
        boolean pretrained = strategy.usesPretrainedWeights();
        int frozenStats = 0;
        int raised = 0;
        float before = Float.NaN;
        for (Layer m : model.namedModules().values()) {
            if (m instanceof BatchNorm2d bn) {
                bn.useRunningStatistics(pretrained && cfg.frozenBatchNorm());
                frozenStats += bn.usesRunningStatistics() && !bn.isFrozen() ? 1 : 0;
                if (!pretrained && bn.momentum() < SCRATCH_BN_MOMENTUM) {
                    before = bn.momentum();
                    bn.setMomentum(SCRATCH_BN_MOMENTUM);
                    raised++;
                }
            }
        }
        if (frozenStats > 0) {
            notes.add(frozenStats + " trainable batch-norm layers of the pretrained network normalise with their "
                    + "running statistics (inference mode); their scale and shift train");
        }
        if (raised > 0) {
            notes.add(String.format("batch-norm momentum raised from %.3g to %.1f (PyTorch's default) in %d layers, "
                    + "so the running statistics follow training from scratch", before, SCRATCH_BN_MOMENTUM, raised));
        }
        return notes;
    }

    private static final float SCRATCH_BN_MOMENTUM = 0.1f;

    private static void applyFreezing(Classifier model, Strategy strategy, int numClasses) {
        if (strategy.kind() == Strategy.Kind.SCRATCH) {
            model.resetParameters();
        }
        model.unfreeze();
        switch (strategy.kind()) {
            case HEAD_ONLY, FEATURES -> model.freeze();
            case PARTIAL -> {
                if (strategy.frozenThrough() != null) {
                    freezeThrough(model, strategy);
                    break;
                }
                int blocks = model.children().size();
                if (strategy.frozenBlocks() >= blocks) {
                    throw new IllegalArgumentException("strategy " + strategy + ": the model has only " + blocks
                            + " blocks " + model.children().keySet() + "; freeze fewer than " + blocks);
                }
                model.freezeFirst(strategy.frozenBlocks());
            }
            case FULL, SCRATCH -> {
            }
        }
        model.replaceHead(numClasses, Init.Scheme.HE);
    }

    private static void freezeThrough(Classifier model, Strategy strategy) {
        String name = strategy.frozenThrough();
        if (!model.namedModules().containsKey(name) || name.isEmpty()) {
            throw new IllegalArgumentException("strategy " + strategy + ": the model has no module '" + name
                    + "'; its blocks are " + model.children().keySet());
        }
        model.freezeUpTo(name);
        var head = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<Tensor, Boolean>());
        head.addAll(model.headBlock().parameters());
        if (model.trainableParameters().stream().allMatch(head::contains)) {
            throw new IllegalArgumentException("strategy " + strategy + ": freezing up to '" + name
                    + "' leaves only the head to train; use head instead");
        }
    }

    /**
     * The head at {@code lr}; each trainable block of the backbone (the model's direct children, in
     * order) in a group of its own, the top block at {@code lr * backboneLrFactor} and lower blocks
     * geometrically lower, down to {@code layerLrSpan} times that for the lowest trainable block
     * (discriminative learning rates: early layers hold general features and move least).
     */
    public static List<ParamGroup> groups(Classifier model, TrainConfig cfg) {
        Set<Tensor> head = Collections.newSetFromMap(new IdentityHashMap<>());
        head.addAll(model.headBlock().trainableParameters());
        List<String> names = new ArrayList<>();
        List<List<Tensor>> blocks = new ArrayList<>();
        for (var child : model.children().entrySet()) {
            List<Tensor> own = new ArrayList<>();
            for (Tensor t : child.getValue().trainableParameters()) {
                if (!head.contains(t)) {
                    own.add(t);
                }
            }
            if (!own.isEmpty()) {
                names.add(child.getKey());
                blocks.add(own);
            }
        }
        List<ParamGroup> groups = new ArrayList<>();
        double top = cfg.lr() * cfg.backboneLrFactor();
        int m = blocks.size();
        for (int i = 0; i < m; i++) {
            double depth = m == 1 ? 0 : (double) (m - 1 - i) / (m - 1);
            groups.add(new ParamGroup("backbone:" + names.get(i), blocks.get(i),
                    top * Math.pow(cfg.layerLrSpan(), depth), cfg.weightDecay()));
        }
        groups.add(new ParamGroup("head", new ArrayList<>(model.headBlock().trainableParameters()), cfg.lr(),
                cfg.weightDecay()));
        return groups;
    }

    public static Optimizer optimizer(List<ParamGroup> groups, TrainConfig cfg) {
        return switch (cfg.optimizer()) {
            case SGD -> new Sgd(groups, cfg.momentum(), 0, false);
            case ADAMW -> new AdamW(groups);
        };
    }
}
