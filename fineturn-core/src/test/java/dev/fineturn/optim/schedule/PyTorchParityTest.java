package dev.fineturn.optim.schedule;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Checks every schedule against the lr sequences real PyTorch produced, recorded in
 * {@code fixtures/lr_schedules.json} by {@code src/test/python/lr_schedules.py}.
 */
class PyTorchParityTest {
    static final double REL_TOL = 1e-9;
    static JsonNode fixture;

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = PyTorchParityTest.class.getResourceAsStream("/fixtures/lr_schedules.json")) {
            assertNotNull(in, "fixtures/lr_schedules.json missing from the test resources");
            fixture = new ObjectMapper().readTree(in);
        }
    }

    static double baseLr() {
        return fixture.get("baseLr").asDouble();
    }

    static void assertClose(double expected, double actual, String where) {
        double rel = Math.abs(actual - expected) / Math.max(Math.abs(expected), Double.MIN_NORMAL);
        if (!(rel <= REL_TOL)) {
            fail(where + ": PyTorch " + expected + ", fineturn " + actual + " (relative error " + rel + ")");
        }
    }

    static double relError(double expected, double actual) {
        return Math.abs(actual - expected) / Math.max(Math.abs(expected), Double.MIN_NORMAL);
    }

    @Test
    void fixtureWasMadeByTorch113WithEveryCase() {
        assertTrue(fixture.get("torch").asText().startsWith("1.13"), "fixture torch version " + fixture.get("torch"));
        Set<String> names = new TreeSet<>();
        fixture.get("cases").forEach(c -> names.add(c.get("name").asText()));
        assertEquals(new TreeSet<>(List.of("step", "exp", "cosine", "warmup_cosine", "onecycle_cos", "onecycle_linear",
                "onecycle_frac_linear", "plateau_min", "plateau_max_floor")), names);
    }

    /** The Java schedule a fixture case describes, from its {@code java} arguments. */
    static LrSchedule build(JsonNode c) {
        JsonNode j = c.get("java");
        String name = c.get("name").asText();
        return switch (name) {
            case "step" -> new StepLr(j.get("stepSize").asLong(), j.get("gamma").asDouble());
            case "exp" -> new ExponentialLr(j.get("gamma").asDouble());
            case "cosine" -> new CosineLr(j.get("totalSteps").asLong(), j.get("minFactor").asDouble());
            case "warmup_cosine" -> new LinearWarmup(j.get("warmupSteps").asLong(), j.get("startFactor").asDouble(),
                    new CosineLr(j.get("totalSteps").asLong(), j.get("minFactor").asDouble()));
            default -> {
                if (name.startsWith("onecycle")) {
                    yield new OneCycleLr(j.get("totalSteps").asLong(), j.get("pctStart").asDouble(),
                            j.get("divFactor").asDouble(), j.get("finalDivFactor").asDouble(),
                            j.get("cosine").asBoolean());
                }
                if (name.startsWith("plateau")) {
                    yield new ReduceOnPlateau(j.get("factor").asDouble(), j.get("patience").asInt(),
                            j.get("threshold").asDouble(), j.get("minFactor").asDouble(),
                            j.get("maximize").asBoolean());
                }
                throw new AssertionError("no Java schedule for fixture case " + name);
            }
        };
    }

    static double[] doubles(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asDouble();
        }
        return out;
    }

    @TestFactory
    Stream<DynamicTest> everyStepMatchesPyTorch() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : fixture.get("cases")) {
            String name = c.get("name").asText();
            tests.add(DynamicTest.dynamicTest(name + " = " + c.get("torch").asText(), () -> {
                double base = baseLr();
                double[] torch = doubles(c.get("lrs"));
                LrSchedule s = build(c);
                double maxRel = 0;
                if (c.has("metrics")) {
                    // Plateau: the lr after each epoch's observe(metric), read at the next optimiser step.
                    double[] metrics = doubles(c.get("metrics"));
                    assertEquals(metrics.length, torch.length);
                    for (int e = 0; e < metrics.length; e++) {
                        s.observe(metrics[e]);
                        double lr = base * s.factor(e + 1L);
                        assertClose(torch[e], lr, name + " after epoch " + e + " (metric " + metrics[e] + ")");
                        maxRel = Math.max(maxRel, relError(torch[e], lr));
                    }
                } else {
                    int compare = c.has("compareSteps") ? c.get("compareSteps").asInt() : torch.length;
                    for (int t = 0; t < compare; t++) {
                        double lr = base * s.factor(t);
                        assertClose(torch[t], lr, name + " step " + t);
                        maxRel = Math.max(maxRel, relError(torch[t], lr));
                    }
                }
                System.out.printf("lr parity %-22s %3d values, max relative error vs PyTorch %.3g%n", name,
                        c.has("compareSteps") ? c.get("compareSteps").asInt() : torch.length, maxRel);
            }));
        }
        return tests.stream();
    }

    /**
     * The one documented divergence: past T_max PyTorch's recursive CosineAnnealingLR climbs back up, while
     * CosineLr stays clamped at its minimum.
     */
    @Test
    void cosineClampsWherePyTorchClimbsBack() {
        for (JsonNode c : fixture.get("cases")) {
            if (!c.get("name").asText().equals("cosine")) {
                continue;
            }
            double[] torch = doubles(c.get("lrs"));
            CosineLr s = (CosineLr) build(c);
            int tMax = (int) s.totalSteps();
            assertEquals(tMax + 1, c.get("compareSteps").asInt());
            assertClose(baseLr() * s.minFactor(), torch[tMax], "torch at T_max");
            for (int t = tMax + 1; t < torch.length; t++) {
                assertTrue(torch[t] > torch[t - 1], "torch rises again past T_max at step " + t);
                assertEquals(s.minFactor(), s.factor(t), "CosineLr clamped at step " + t);
            }
            assertEquals(s.minFactor(), s.factor(1_000_000_000L));
            return;
        }
        fail("fixture has no cosine case");
    }
}
