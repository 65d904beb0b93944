package dev.fineturn.optim.schedule;

/**
 * The two-phase one-cycle policy, like PyTorch's {@code OneCycleLR(max_lr, total_steps, pct_start, div_factor,
 * final_div_factor, anneal_strategy='cos'|'linear', three_phase=False)}, with the factor relative to
 * {@code max_lr}: it starts at {@code 1/divFactor}, rises to 1 and anneals to
 * {@code 1/(divFactor * finalDivFactor)}.
 *
 * <p>The phase boundaries are PyTorch 1.13's exactly: phase 1 runs from step 0 to
 * {@code pctStart * totalSteps - 1} (a double, possibly fractional) and phase 2 from there to
 * {@code totalSteps - 1}. Steps past {@code totalSteps - 1} (where PyTorch extrapolates, then throws) keep the
 * final factor.
 */
public record OneCycleLr(long totalSteps, double pctStart, double divFactor, double finalDivFactor, boolean cosine)
        implements LrSchedule {
    public OneCycleLr {
        Checks.atLeast("OneCycleLr totalSteps", totalSteps, 2);
        if (!(pctStart > 0 && pctStart < 1)) {
            throw new IllegalArgumentException("OneCycleLr pctStart must be in (0, 1), got " + pctStart);
        }
        if (!(pctStart * totalSteps > 1)) {
            throw new IllegalArgumentException("OneCycleLr pctStart * totalSteps must exceed 1 so the warm-up phase "
                    + "spans at least one step, got " + pctStart + " * " + totalSteps);
        }
        Checks.positive("OneCycleLr divFactor", divFactor);
        Checks.positive("OneCycleLr finalDivFactor", finalDivFactor);
    }

    /** The factor at step 0, {@code 1/divFactor}. */
    public double initialFactor() {
        return 1.0 / divFactor;
    }

    /** The factor at the last step, {@code 1/(divFactor * finalDivFactor)}. */
    public double finalFactor() {
        return initialFactor() / finalDivFactor;
    }

    @Override
    public double factor(long step) {
        double s = Math.min(Checks.step(step), totalSteps - 1);
        double end1 = pctStart * totalSteps - 1; // PyTorch: float(pct_start * total_steps) - 1
        double end2 = totalSteps - 1;
        if (s <= end1) {
            return anneal(initialFactor(), 1.0, s / end1);
        }
        return anneal(1.0, finalFactor(), (s - end1) / (end2 - end1));
    }

    private double anneal(double start, double end, double pct) {
        if (cosine) {
            return end + (start - end) / 2.0 * (Math.cos(Math.PI * pct) + 1);
        }
        return (end - start) * pct + start;
    }
}
