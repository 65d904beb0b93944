package dev.fineturn.optim.schedule;

/**
 * Multiplies each parameter group's base learning rate; evaluated once per optimiser step (iteration).
 *
 * <p>The implementations follow {@code torch.optim.lr_scheduler} (checked against PyTorch 1.13 by the
 * {@code lr_schedules.json} fixture), but are counted in optimiser steps and return a factor instead of an lr:
 * the lr used at step {@code t} is {@code baseLr * factor(t)}. Use {@link Schedules#parse} for CLI-style specs.
 */
public interface LrSchedule {
    /** The factor applied to the base learning rate at 0-based optimiser step `step`. */
    double factor(long step);

    /**
     * Called at the end of each epoch with the monitored metric (lower is better unless configured); only
     * plateau-style schedules react.
     */
    default void observe(double metric) {}

    /**
     * Serialisable state for exact resume (e.g. plateau's current factor, best value, bad-epoch count); empty for
     * stateless schedules.
     */
    default java.util.Map<String, Double> state() {
        return java.util.Map.of();
    }

    default void restore(java.util.Map<String, Double> state) {}
}
