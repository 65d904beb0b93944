package dev.fineturn.models.arch;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fineturn.reference.ReferenceBackend;
import dev.fineturn.spi.Backend;
import dev.fineturn.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Against F.adaptive_avg_pool2d(x, (7, 7)) and its input gradient (fixtures/arch/adaptive_avg_pool.json). */
class AdaptiveAveragePoolTest {
    private final Backend b = ReferenceBackend.get();

    private static float[] floats(JsonNode a) {
        float[] v = new float[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) a.get(i).asDouble();
        }
        return v;
    }

    @Test
    void matchesPyTorchForwardAndBackward() {
        JsonNode fix = ArchFixtures.json("adaptive_avg_pool.json");
        AdaptiveAveragePool pool = new AdaptiveAveragePool(7, 7);
        assertEquals(6, fix.get("cases").size());
        for (JsonNode c : fix.get("cases")) {
            int[] shape = new int[4];
            for (int i = 0; i < 4; i++) {
                shape[i] = c.get("input_shape").get(i).asInt();
            }
            String what = java.util.Arrays.toString(shape);
            Tensor x = Tensor.of(b, floats(c.get("input")), shape).requiresGrad(true);
            Tensor y = pool.forward(x);
            assertArrayEquals(new int[]{shape[0], shape[1], 7, 7}, y.shape(), what);
            assertArrayEquals(floats(c.get("output")), y.toArray(), 1e-5f, what + " output");
            Tensor upstream = Tensor.of(b, floats(c.get("upstream")), y.shape());
            y.mul(upstream).sum().backward();
            assertArrayEquals(floats(c.get("input_grad")), x.grad().toArray(), 1e-5f, what + " input gradient");
        }
    }

    @Test
    void sevenBySevenInputPassesThrough() {
        Tensor x = Tensor.randn(b, 3, 1, 4, 7, 7);
        assertSame(x, new AdaptiveAveragePool(7, 7).forward(x));
    }

    @Test
    void rejectsNonImageInput() {
        assertThrows(IllegalArgumentException.class, () -> new AdaptiveAveragePool(7, 7).forward(Tensor.zeros(b, 2, 8)));
    }
}
