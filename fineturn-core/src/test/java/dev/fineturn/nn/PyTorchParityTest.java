package dev.fineturn.nn;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fineturn.Fixtures;
import dev.fineturn.ops.Activations;
import dev.fineturn.ops.Conv2dOptions;
import dev.fineturn.ops.Losses;
import dev.fineturn.optim.AdamW;
import dev.fineturn.optim.GradClip;
import dev.fineturn.optim.Optimizer;
import dev.fineturn.optim.ParamGroup;
import dev.fineturn.optim.Sgd;
import dev.fineturn.reference.ReferenceBackend;
import dev.fineturn.spi.Backend;
import dev.fineturn.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Layers, losses, batch-norm buffers and optimisers against PyTorch 1.13 (fixtures/nn_optim.json). */
class PyTorchParityTest {
    private final Backend b = ReferenceBackend.get();
    private static final JsonNode FIX = Fixtures.load("nn_optim.json");

    @BeforeEach
    void onReference() {
        Init.useBackend(b);
    }

    /** The same network as TinyCnn in nn_optim_fixtures.py, with the same parameter names. */
    static final class TinyCnn extends Layer {
        TinyCnn() {
            registerModule("conv1", new Conv2d(3, 8, 3, 1, 1, false));
            registerModule("bn1", new BatchNorm2d(8));
            registerModule("pool", new MaxPool2d(2, 2));
            registerModule("pad", new ZeroPad2d(0, 0, 1, 1));
            registerModule("dw", new Conv2d(8, 8, 3, 3, Conv2dOptions.of(2, 0).withGroups(8), true));
            registerModule("pw", new Conv2d(8, 12, 1, 1, 0, false));
            registerModule("bn2", new BatchNorm2d(12));
            registerModule("fc", new Linear(12, 5, true));
        }

        @Override
        public Tensor forward(Tensor x) {
            Map<String, Layer> c = children();
            Tensor h = Activations.relu6(c.get("bn1").forward(c.get("conv1").forward(x)));
            h = c.get("pool").forward(h);
            h = c.get("pw").forward(c.get("dw").forward(c.get("pad").forward(h)));
            h = Activations.hardSwish(c.get("bn2").forward(h)).add(h);
            h = dev.fineturn.ops.Pooling.globalAvgPool(h).flatten(1);
            return c.get("fc").forward(h);
        }
    }

    private static void assertClose(String what, float[] expected, float[] actual, double rtol, double atol) {
        assertEquals(expected.length, actual.length, what + " length");
        for (int i = 0; i < expected.length; i++) {
            if (Math.abs(expected[i] - actual[i]) > atol + rtol * Math.abs(expected[i])) {
                fail(what + "[" + i + "]: PyTorch " + expected[i] + " vs fineturn " + actual[i]);
            }
        }
    }

    private TinyCnn loaded() {
        TinyCnn m = new TinyCnn();
        Map<String, Tensor> state = new LinkedHashMap<>();
        FIX.get("tiny_cnn").get("state_dict").fields()
                .forEachRemaining(e -> state.put(e.getKey(), Fixtures.tensor(b, e.getValue())));
        assertEquals(m.stateDict().size(), state.size(), "state-dict entries in the fixture");
        Layer.LoadResult r = m.loadStateDict(state, true);
        assertTrue(r.isComplete(), r.toString());
        return m;
    }

    @Test
    void tinyCnnMatchesPyTorchInTrainAndEvalMode() {
        JsonNode t = FIX.get("tiny_cnn");
        for (String mode : List.of("train", "eval")) {
            TinyCnn m = loaded();
            m.train(mode.equals("train"));
            Tensor x = Fixtures.tensor(b, t.get("input"));
            Tensor logits = m.forward(x);
            Tensor loss = Losses.crossEntropy(logits, Fixtures.ints(t.get("labels")),
                    (float) t.get("label_smoothing").asDouble());
            loss.backward();
            JsonNode c = t.get("cases").get(mode);
            assertClose(mode + " logits", Fixtures.floats(c.get("logits")), logits.toArray(), 1e-4, 1e-5);
            assertEquals(c.get("loss").asDouble(), loss.item(), 1e-5, mode + " loss");
            Map<String, Tensor> params = m.namedParameters();
            assertEquals(params.size(), c.get("grads").size(), mode + " gradients in the fixture");
            c.get("grads").fields().forEachRemaining(e -> assertClose(mode + " grad " + e.getKey(),
                    Fixtures.floats(e.getValue()), params.get(e.getKey()).grad().toArray(), 1e-3, 1e-5));
            Map<String, Tensor> buffers = m.namedBuffers();
            assertEquals(buffers.size(), c.get("buffers_after").size(), mode + " buffers in the fixture");
            c.get("buffers_after").fields().forEachRemaining(e -> assertClose(mode + " buffer " + e.getKey(),
                    Fixtures.floats(e.getValue()), buffers.get(e.getKey()).toArray(), 1e-4, 1e-6));
        }
    }

    @Test
    void optimizersFollowPyTorchTrajectories() {
        JsonNode o = FIX.get("optimizers");
        assertEquals(5, o.get("cases").size(), "optimizer cases in the fixture");
        for (JsonNode c : o.get("cases")) {
            Tensor p = Tensor.of(b, Fixtures.floats(o.get("p0")), 7).requiresGrad(true);
            JsonNode opts = c.get("options");
            double wd = opts.path("weight_decay").asDouble(0);
            List<ParamGroup> groups = List.of(new ParamGroup("all", List.of(p), opts.get("lr").asDouble(), wd));
            Optimizer opt = c.get("optimizer").asText().equals("sgd")
                    ? new Sgd(groups, opts.path("momentum").asDouble(0), opts.path("dampening").asDouble(0),
                    opts.path("nesterov").asBoolean(false))
                    : new AdamW(groups, opts.get("betas").get(0).asDouble(), opts.get("betas").get(1).asDouble(),
                    opts.get("eps").asDouble());
            for (int step = 0; step < o.get("grads").size(); step++) {
                p.setGrad(Tensor.of(b, Fixtures.floats(o.get("grads").get(step)), 7));
                opt.step();
                assertClose(c.get("optimizer").asText() + " " + opts + " step " + step,
                        Fixtures.floats(c.get("trajectory").get(step)), p.toArray(), 1e-5, 1e-6);
            }
        }
    }

    @Test
    void clipGradNormMatchesPyTorch() {
        JsonNode c = FIX.get("clip_grad_norm");
        Tensor p1 = Tensor.zeros(b, 3, 4).requiresGrad(true);
        Tensor p2 = Tensor.zeros(b, 5).requiresGrad(true);
        p1.setGrad(Tensor.of(b, Fixtures.floats(c.get("grads").get(0)), 3, 4));
        p2.setGrad(Tensor.of(b, Fixtures.floats(c.get("grads").get(1)), 5));
        double norm = GradClip.clipNorm(List.of(p1, p2), c.get("max_norm").asDouble());
        assertEquals(c.get("norm").asDouble(), norm, 1e-4);
        assertClose("clipped 0", Fixtures.floats(c.get("clipped").get(0)), p1.grad().toArray(), 1e-5, 1e-6);
        assertClose("clipped 1", Fixtures.floats(c.get("clipped").get(1)), p2.grad().toArray(), 1e-5, 1e-6);
    }
}
