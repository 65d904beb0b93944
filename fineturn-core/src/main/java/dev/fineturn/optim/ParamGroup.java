package dev.fineturn.optim;

import dev.fineturn.tensor.Tensor;

import java.util.List;

/**
 * Parameters that share a learning rate and weight decay, e.g. "backbone" at 0.1x the head's
 * rate (discriminative learning rates).
 */
public final class ParamGroup {
    private final String name;
    private final List<Tensor> params;
    private final double baseLr;
    private final double weightDecay;
    private double lr;

    public ParamGroup(String name, List<Tensor> params, double lr, double weightDecay) {
        if (!(lr >= 0) || !(weightDecay >= 0)) {
            throw new IllegalArgumentException("parameter group '" + name + "': learning rate " + lr
                    + " and weight decay " + weightDecay + " must be non-negative");
        }
        this.name = name;
        this.params = List.copyOf(params);
        this.baseLr = lr;
        this.weightDecay = weightDecay;
        this.lr = lr;
    }

    public String name() {
        return name;
    }

    public List<Tensor> params() {
        return params;
    }

    public double baseLr() {
        return baseLr;
    }

    /** The current learning rate, base times the schedule's factor. */
    public double lr() {
        return lr;
    }

    public void setLr(double lr) {
        this.lr = lr;
    }

    public double weightDecay() {
        return weightDecay;
    }
}
