package dev.fineturn.train;

import dev.fineturn.nn.Classifier;
import dev.fineturn.nn.Init;
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
        if (strategy.kind() == Strategy.Kind.SCRATCH) {
            model.resetParameters();
        }
        model.unfreeze();
        switch (strategy.kind()) {
            case HEAD_ONLY, FEATURES -> model.freeze();
            case PARTIAL -> {
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

    /** The head at {@code lr}, the rest of the trainable parameters at {@code lr * backboneLrFactor}. */
    public static List<ParamGroup> groups(Classifier model, TrainConfig cfg) {
        Set<Tensor> head = Collections.newSetFromMap(new IdentityHashMap<>());
        head.addAll(model.head().trainableParameters());
        List<Tensor> backbone = new ArrayList<>();
        for (Tensor t : model.trainableParameters()) {
            if (!head.contains(t)) {
                backbone.add(t);
            }
        }
        List<ParamGroup> groups = new ArrayList<>();
        if (!backbone.isEmpty()) {
            groups.add(new ParamGroup("backbone", backbone, cfg.lr() * cfg.backboneLrFactor(), cfg.weightDecay()));
        }
        groups.add(new ParamGroup("head", new ArrayList<>(model.head().trainableParameters()), cfg.lr(),
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
