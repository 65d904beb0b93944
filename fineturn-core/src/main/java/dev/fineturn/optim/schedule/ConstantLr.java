package dev.fineturn.optim.schedule;

/** The base learning rate throughout: factor 1 at every step. */
public record ConstantLr() implements LrSchedule {
    @Override
    public double factor(long step) {
        Checks.step(step);
        return 1.0;
    }
}
