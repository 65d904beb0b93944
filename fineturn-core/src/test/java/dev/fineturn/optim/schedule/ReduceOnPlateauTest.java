package dev.fineturn.optim.schedule;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReduceOnPlateauTest {
    static final double[] LOSS = {1.0, 0.9, 0.8, 0.81, 0.8, 0.79995, 0.7, 0.7, 0.71, 0.69999, 0.7, 0.6, 0.6, 0.6,
            0.6, 0.6, 0.6, 0.6, 0.5, 0.5, 0.5, 0.55};

    static ReduceOnPlateau fresh() {
        return new ReduceOnPlateau(0.5, 2, 1e-4, 0.0, false);
    }

    /** Factors after each epoch when fed LOSS from the start. */
    static double[] reference() {
        ReduceOnPlateau p = fresh();
        double[] out = new double[LOSS.length];
        for (int e = 0; e < LOSS.length; e++) {
            p.observe(LOSS[e]);
            out[e] = p.factor(e);
        }
        return out;
    }

    @Test
    void restoreMidSequenceContinuesIdentically() throws Exception {
        double[] ref = reference();
        ObjectMapper json = new ObjectMapper();
        for (int cut = 0; cut <= LOSS.length; cut++) {
            ReduceOnPlateau first = fresh();
            for (int e = 0; e < cut; e++) {
                first.observe(LOSS[e]);
            }
            Map<String, Double> state = first.state();
            // As a checkpoint would: through JSON text and back (best is +Infinity before the first epoch).
            Map<String, Double> reread = json.readValue(json.writeValueAsString(state), new TypeReference<>() {});
            assertEquals(state, reread, "JSON round trip at epoch " + cut);

            ReduceOnPlateau resumed = fresh();
            resumed.restore(reread);
            assertEquals(state, resumed.state(), "state after restore at epoch " + cut);
            for (int e = cut; e < LOSS.length; e++) {
                resumed.observe(LOSS[e]);
                first.observe(LOSS[e]);
                assertEquals(ref[e], resumed.factor(e), "resumed at " + cut + ", epoch " + e);
                assertEquals(first.state(), resumed.state(), "resumed at " + cut + ", epoch " + e);
            }
        }
    }

    @Test
    void stateHoldsFactorBestAndBadEpochs() {
        ReduceOnPlateau p = fresh();
        assertEquals(Map.of("factor", 1.0, "best", Double.POSITIVE_INFINITY, "badEpochs", 0.0), p.state());
        for (double m : new double[] {1.0, 0.9, 0.95}) {
            p.observe(m);
        }
        assertEquals(Map.of("factor", 1.0, "best", 0.9, "badEpochs", 1.0), p.state());
        p.observe(0.95);
        p.observe(0.95); // third bad epoch > patience 2: cut
        assertEquals(Map.of("factor", 0.5, "best", 0.9, "badEpochs", 0.0), p.state());
        assertEquals(Double.NEGATIVE_INFINITY, new ReduceOnPlateau(0.5, 2, 0, 0, true).best());
    }

    @Test
    void nanIsNeverAnImprovement() {
        ReduceOnPlateau p = new ReduceOnPlateau(0.5, 0, 1e-4, 0, false);
        p.observe(1.0);
        p.observe(Double.NaN);
        assertEquals(0.5, p.factor(0));
        assertEquals(1.0, p.best());
    }

    @Test
    void floorIsRespectedAndTinyCutsSkipped() {
        ReduceOnPlateau p = new ReduceOnPlateau(0.1, 0, 0, 0.05, false);
        p.observe(1);
        p.observe(1);
        assertEquals(0.1, p.factor(0), 1e-15);
        p.observe(1);
        assertEquals(0.05, p.factor(0));
        p.observe(1);
        assertEquals(0.05, p.factor(0));
    }

    @Test
    void warmupDelegatesObserveAndState() {
        ReduceOnPlateau plateau = new ReduceOnPlateau(0.5, 0, 0, 0, false);
        LinearWarmup w = new LinearWarmup(2, 0.5, plateau);
        assertEquals(0.5, w.factor(0));
        assertEquals(0.75, w.factor(1));
        w.observe(1);
        w.observe(2);
        assertEquals(0.5, w.factor(5));
        assertEquals(plateau.state(), w.state());
        LinearWarmup other = new LinearWarmup(2, 0.5, fresh());
        other.restore(w.state());
        assertEquals(0.5, other.factor(2));
        assertTrue(new LinearWarmup(2, 0.5, new ConstantLr()).state().isEmpty());
    }

    @Test
    void badStateIsRejected() {
        ReduceOnPlateau p = fresh();
        var missing = assertThrows(IllegalArgumentException.class, () -> p.restore(Map.of("factor", 0.5)));
        assertTrue(missing.getMessage().contains("lacks 'best'"), missing.getMessage());
        Map<String, Double> s = new HashMap<>(p.state());
        s.put("badEpochs", 1.5);
        var frac = assertThrows(IllegalArgumentException.class, () -> p.restore(s));
        assertTrue(frac.getMessage().contains("badEpochs"), frac.getMessage());
        s.put("badEpochs", 0.0);
        s.put("factor", 0.0);
        var zero = assertThrows(IllegalArgumentException.class, () -> p.restore(s));
        assertTrue(zero.getMessage().contains("factor must be in (0, 1]"), zero.getMessage());
        assertThrows(IllegalArgumentException.class, () -> p.restore(null));
        assertEquals(fresh().state(), p.state(), "a rejected restore leaves the state alone");
    }
}
