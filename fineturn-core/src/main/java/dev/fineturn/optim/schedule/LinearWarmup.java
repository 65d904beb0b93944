package dev.fineturn.optim.schedule;

import java.util.Map;
import java.util.Objects;

/**
 * A linear ramp from {@code startFactor} to 1 over {@code warmupSteps}, then {@code after}, restarted at 0:
 * like PyTorch's {@code SequentialLR([LinearLR(start_factor, total_iters=warmupSteps), after],
 * milestones=[warmupSteps])}. {@code factor(t) = startFactor + (1 - startFactor) * t / warmupSteps} for
 * {@code t < warmupSteps}, else {@code after.factor(t - warmupSteps)}.
 *
 * <p>{@link #observe}, {@link #state} and {@link #restore} are delegated to {@code after}, so a warm-up in front
 * of {@link ReduceOnPlateau} still reacts to the metric.
 */
public record LinearWarmup(long warmupSteps, double startFactor, LrSchedule after) implements LrSchedule {
    public LinearWarmup {
        Checks.atLeast("LinearWarmup warmupSteps", warmupSteps, 0);
        Checks.within("LinearWarmup startFactor", startFactor, 0, 1);
        Objects.requireNonNull(after, "LinearWarmup needs the schedule that follows the warm-up");
    }

    @Override
    public double factor(long step) {
        if (Checks.step(step) < warmupSteps) {
            return startFactor + (1 - startFactor) * step / warmupSteps;
        }
        return after.factor(step - warmupSteps);
    }

    @Override
    public void observe(double metric) {
        after.observe(metric);
    }

    @Override
    public Map<String, Double> state() {
        return after.state();
    }

    @Override
    public void restore(Map<String, Double> state) {
        after.restore(state);
    }
}
