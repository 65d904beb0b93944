package dev.fineturn.optim.schedule;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScheduleArgumentsTest {
    static void rejects(String expectedFragment, Executable e) {
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, e);
        assertTrue(x.getMessage().contains(expectedFragment),
                "message '" + x.getMessage() + "' should mention '" + expectedFragment + "'");
    }

    @Test
    void badConstructorArguments() {
        rejects("StepLr stepSize must be >= 1, got 0", () -> new StepLr(0, 0.5));
        rejects("StepLr gamma must be a finite number > 0, got -0.5", () -> new StepLr(3, -0.5));
        rejects("StepLr gamma must be a finite number > 0, got NaN", () -> new StepLr(3, Double.NaN));
        rejects("ExponentialLr gamma must be a finite number > 0, got 0.0", () -> new ExponentialLr(0));
        rejects("CosineLr totalSteps must be >= 1, got 0", () -> new CosineLr(0, 0));
        rejects("CosineLr minFactor must be in [0.0, 1.0], got 1.5", () -> new CosineLr(10, 1.5));
        rejects("LinearWarmup warmupSteps must be >= 0, got -1", () -> new LinearWarmup(-1, 0.1, new ConstantLr()));
        rejects("LinearWarmup startFactor must be in [0.0, 1.0], got 2.0",
                () -> new LinearWarmup(5, 2, new ConstantLr()));
        assertThrows(NullPointerException.class, () -> new LinearWarmup(5, 0.1, null));
        rejects("OneCycleLr totalSteps must be >= 2, got 1", () -> new OneCycleLr(1, 0.3, 25, 1e4, true));
        rejects("OneCycleLr pctStart must be in (0, 1), got 1.0", () -> new OneCycleLr(40, 1.0, 25, 1e4, true));
        rejects("OneCycleLr pctStart * totalSteps must exceed 1", () -> new OneCycleLr(3, 0.3, 25, 1e4, true));
        rejects("OneCycleLr divFactor must be a finite number > 0", () -> new OneCycleLr(40, 0.3, 0, 1e4, true));
        rejects("OneCycleLr finalDivFactor must be a finite number > 0",
                () -> new OneCycleLr(40, 0.3, 25, Double.POSITIVE_INFINITY, true));
        rejects("ReduceOnPlateau factor must be in (0, 1), got 1.0", () -> new ReduceOnPlateau(1, 2, 1e-4, 0, false));
        rejects("ReduceOnPlateau patience must be >= 0, got -1", () -> new ReduceOnPlateau(0.5, -1, 1e-4, 0, false));
        rejects("ReduceOnPlateau threshold (relative) must be in [0, 1)",
                () -> new ReduceOnPlateau(0.5, 2, 1, 0, false));
        rejects("ReduceOnPlateau minFactor must be in [0.0, 1.0], got -0.1",
                () -> new ReduceOnPlateau(0.5, 2, 1e-4, -0.1, false));
    }

    @Test
    void negativeStepsAreRejectedEverywhere() {
        LrSchedule[] all = {new ConstantLr(), new StepLr(2, 0.5), new ExponentialLr(0.9), new CosineLr(10, 0),
            new LinearWarmup(3, 0.1, new ConstantLr()), new OneCycleLr(40, 0.3, 25, 1e4, true),
            new ReduceOnPlateau(0.5, 2, 1e-4, 0, false)};
        for (LrSchedule s : all) {
            rejects("optimiser step must be >= 0, got -1", () -> s.factor(-1));
        }
    }

    @Test
    void shapesAtTheEdges() {
        assertEquals(1.0, new ConstantLr().factor(123));
        OneCycleLr cycle = new OneCycleLr(40, 0.3, 25, 1e4, true);
        // PyTorch's cosine formula is kept as is, so the ends are only exact to rounding (as in PyTorch).
        assertEquals(1 / 25.0, cycle.factor(0), 1e-15);
        assertEquals(1.0, cycle.factor(11));
        assertEquals(cycle.finalFactor(), cycle.factor(39), 1e-15);
        assertEquals(cycle.factor(39), cycle.factor(40), "past the cycle: the final factor");
        assertEquals(cycle.factor(39), cycle.factor(Long.MAX_VALUE));
        OneCycleLr linear = new OneCycleLr(40, 0.3, 25, 1e4, false);
        assertEquals(1 / 25.0, linear.factor(0));
        assertEquals(1.0, linear.factor(11));
        LinearWarmup none = new LinearWarmup(0, 0.1, new ExponentialLr(0.5));
        assertEquals(1.0, none.factor(0));
        assertEquals(0.25, none.factor(2));
        assertEquals(0.5, new StepLr(3, 0.5).factor(5));
        assertEquals(0.25, new StepLr(3, 0.5).factor(6));
        assertTrue(new StepLr(3, 0.5).state().isEmpty());
    }
}
