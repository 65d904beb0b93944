package dev.fineturn.optim.schedule;

/** Multiplies the learning rate by {@code gamma} every optimiser step, like PyTorch's {@code ExponentialLR}. */
public record ExponentialLr(double gamma) implements LrSchedule {
    public ExponentialLr {
        Checks.positive("ExponentialLr gamma", gamma);
    }

    @Override
    public double factor(long step) {
        return Math.pow(gamma, (double) Checks.step(step));
    }
}
