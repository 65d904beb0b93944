package dev.fineturn.optim.schedule;

/**
 * Cosine annealing from 1 to {@code minFactor} over {@code totalSteps}, like PyTorch's
 * {@code CosineAnnealingLR(T_max=totalSteps, eta_min=minFactor * base_lr)}:
 * {@code factor(t) = minFactor + (1 - minFactor) * (1 + cos(pi * t / totalSteps)) / 2}.
 *
 * <p>Unlike PyTorch, whose recursive form climbs back towards the base lr after {@code T_max}, the factor stays
 * at {@code minFactor} for every step {@code >= totalSteps}.
 */
public record CosineLr(long totalSteps, double minFactor) implements LrSchedule {
    public CosineLr {
        Checks.atLeast("CosineLr totalSteps", totalSteps, 1);
        Checks.within("CosineLr minFactor", minFactor, 0, 1);
    }

    @Override
    public double factor(long step) {
        if (Checks.step(step) >= totalSteps) {
            return minFactor;
        }
        return minFactor + (1 - minFactor) * (1 + Math.cos(Math.PI * step / totalSteps)) / 2;
    }
}
