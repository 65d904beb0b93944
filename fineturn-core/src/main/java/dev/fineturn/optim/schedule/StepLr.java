package dev.fineturn.optim.schedule;

/**
 * Multiplies the learning rate by {@code gamma} every {@code stepSize} optimiser steps, like PyTorch's
 * {@code StepLR(step_size, gamma)}: {@code factor(t) = gamma^floor(t / stepSize)}.
 */
public record StepLr(long stepSize, double gamma) implements LrSchedule {
    public StepLr {
        Checks.atLeast("StepLr stepSize", stepSize, 1);
        Checks.positive("StepLr gamma", gamma);
    }

    @Override
    public double factor(long step) {
        return Math.pow(gamma, (double) (Checks.step(step) / stepSize));
    }
}
