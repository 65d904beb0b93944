package dev.fineturn.optim.schedule;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SchedulesTest {
    static String error(String spec, long total) {
        return assertThrows(IllegalArgumentException.class, () -> Schedules.parse(spec, total)).getMessage();
    }

    @Test
    void parsesEveryName() {
        assertEquals(new ConstantLr(), Schedules.parse("constant", 0));
        assertEquals(new StepLr(7, 0.5), Schedules.parse("step:7:0.5", 0));
        assertEquals(new StepLr(7, 0.1), Schedules.parse("step:7", 0));
        assertEquals(new ExponentialLr(0.9), Schedules.parse(" exp:0.9 ", 0));
        assertEquals(new CosineLr(100, 0), Schedules.parse("cosine", 100));
        assertEquals(new CosineLr(100, 0.01), Schedules.parse("COSINE:0.01", 100));
        assertEquals(new OneCycleLr(100, 0.3, 25, 1e4, true), Schedules.parse("onecycle", 100));
        assertEquals(new OneCycleLr(100, 0.25, 10, 100, false), Schedules.parse("onecycle:0.25:10:100:linear", 100));
        LrSchedule p = Schedules.parse("plateau", 0);
        assertInstanceOf(ReduceOnPlateau.class, p);
        assertTrue(p.toString().contains("factor=0.1, patience=10, threshold=1.0E-4, minFactor=0.0, maximize=false"),
                p.toString());
        assertTrue(Schedules.parse("plateau:0.5:2:0.001:0.01:max", 0).toString()
                .contains("factor=0.5, patience=2, threshold=0.001, minFactor=0.01, maximize=true"));
    }

    @Test
    void unknownNameListsTheKnownOnes() {
        String m = error("linear:5", 100);
        assertTrue(m.contains("unknown learning-rate schedule 'linear'"), m);
        for (String known : Schedules.KNOWN) {
            assertTrue(m.contains(known), m + " should list " + known);
        }
        assertTrue(error("", 100).contains("constant, step:SIZE[:GAMMA]"));
        assertThrows(IllegalArgumentException.class, () -> Schedules.parse(null, 100));
    }

    @Test
    void badArgumentsSayWhatIsWrong() {
        assertTrue(error("cosine", 0).contains("'cosine' needs the total number of optimiser steps (> 0), got 0"));
        assertTrue(error("onecycle", -1).contains("needs the total number of optimiser steps"));
        assertTrue(error("exp", 0).contains("expected exp:GAMMA (0 arguments given)"), error("exp", 0));
        assertTrue(error("step:7:0.5:3", 0).contains("expected step:SIZE[:GAMMA] (3 arguments given)"));
        assertTrue(error("constant:1", 0).contains("expected constant (1 argument given)"));
        assertTrue(error("step:seven", 0).contains("SIZE must be a whole number, got 'seven'"));
        assertTrue(error("exp:fast", 0).contains("GAMMA must be a number, got 'fast'"));
        assertTrue(error("step::0.5", 0).contains("SIZE is empty"));
        assertTrue(error("onecycle:0.3:25:1e4:cosine", 40).contains("anneal strategy must be cos or linear"));
        assertTrue(error("plateau:0.5:2:0:0:lowest", 0).contains("mode must be min or max"));
        String range = error("exp:-1", 0);
        assertTrue(range.contains("bad learning-rate schedule 'exp:-1': ExponentialLr gamma must be a finite number"),
                range);
        assertTrue(error("step:0", 0).contains("StepLr stepSize must be >= 1"));
    }
}
