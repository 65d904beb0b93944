package dev.fineturn.optim;

import dev.fineturn.tensor.Tensor;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Updates parameters from their gradients. Parameters that are frozen (do not require a gradient)
 * or have no gradient are skipped entirely: no update, no weight decay, no state.
 */
public abstract class Optimizer {
    private final List<ParamGroup> groups;
    private long steps;

    protected Optimizer(List<ParamGroup> groups) {
        if (groups.isEmpty()) {
            throw new IllegalArgumentException("optimizer: no parameter groups");
        }
        this.groups = List.copyOf(groups);
        IdentityHashMap<Tensor, String> seen = new IdentityHashMap<>();
        for (ParamGroup g : groups) {
            for (Tensor p : g.params()) {
                if (seen.put(p, g.name()) != null) {
                    throw new IllegalArgumentException("optimizer: a parameter appears in groups '" + seen.get(p)
                            + "' and '" + g.name() + "'");
                }
                if (!p.isDense()) {
                    throw new IllegalArgumentException("optimizer: parameters must be dense tensors, got " + p);
                }
            }
        }
    }

    public List<ParamGroup> groups() {
        return groups;
    }

    /** Optimiser steps taken so far. */
    public long steps() {
        return steps;
    }

    /** Sets every group's rate to its base rate times {@code factor} (the schedule's output). */
    public void setLrFactor(double factor) {
        for (ParamGroup g : groups) {
            g.setLr(g.baseLr() * factor);
        }
    }

    public void step() {
        for (ParamGroup g : groups) {
            for (Tensor p : g.params()) {
                if (p.requiresGrad() && p.grad() != null) {
                    update(g, p, p.grad().isDense() ? p.grad() : p.grad().copy());
                    p.markWritten();
                }
            }
        }
        steps++;
    }

    /** Clears the gradients of every parameter in every group. */
    public void zeroGrad() {
        for (ParamGroup g : groups) {
            for (Tensor p : g.params()) {
                p.zeroGrad();
            }
        }
    }

    protected abstract void update(ParamGroup group, Tensor param, Tensor grad);

    /** Per-parameter state tensors by name, e.g. "momentum_buffer", or empty. */
    protected abstract Map<String, Tensor> stateOf(Tensor param);

    protected abstract void restoreStateOf(Tensor param, Map<String, Tensor> state);

    /**
     * The optimiser's state for a checkpoint: tensors named {@code <group>.<index>.<key>} (index
     * within the group), plus scalars.
     */
    public Map<String, Tensor> stateTensors() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (ParamGroup g : groups) {
            for (int i = 0; i < g.params().size(); i++) {
                String prefix = g.name() + "." + i + ".";
                stateOf(g.params().get(i)).forEach((k, v) -> out.put(prefix + k, v));
            }
        }
        return out;
    }

    public void restoreStateTensors(Map<String, Tensor> state, long steps) {
        for (ParamGroup g : groups) {
            for (int i = 0; i < g.params().size(); i++) {
                String prefix = g.name() + "." + i + ".";
                Map<String, Tensor> mine = new LinkedHashMap<>();
                for (Map.Entry<String, Tensor> e : state.entrySet()) {
                    if (e.getKey().startsWith(prefix)) {
                        mine.put(e.getKey().substring(prefix.length()), e.getValue());
                    }
                }
                if (!mine.isEmpty()) {
                    restoreStateOf(g.params().get(i), mine);
                }
            }
        }
        this.steps = steps;
    }

    /** Every parameter, across groups. */
    public List<Tensor> parameters() {
        List<Tensor> out = new ArrayList<>();
        for (ParamGroup g : groups) {
            out.addAll(g.params());
        }
        return out;
    }
}
