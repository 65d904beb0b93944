package dev.fineturn.models.arch;

import dev.fineturn.nn.Init;
import dev.fineturn.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class MobileNetV2Test {
    @Test
    void makeDivisibleAsTorchvision() {
        double[] v = {27, 20, 4, 1280, 12, 11.9, 44.8, 0.35 * 32, 1.4 * 1280, 96 * 0.75};
        int[] torchvision = {32, 24, 8, 1280, 16, 16, 48, 16, 1792, 72};
        for (int i = 0; i < v.length; i++) {
            assertEquals(torchvision[i], MobileNetV2.makeDivisible(v[i], 8), "makeDivisible(" + v[i] + ")");
        }
    }

    @Test
    void widthMultiplierScalesChannelsButNotBelowTheLastWidth() {
        Init.useBackend(ReferenceBackend.get());
        MobileNetV2 wide = new MobileNetV2(4, 1.4);
        assertArrayEquals(new int[]{48, 3, 3, 3}, wide.stateDict().get("features.0.0.weight").shape());
        assertArrayEquals(new int[]{1792, 448, 1, 1}, wide.stateDict().get("features.18.0.weight").shape());
        assertEquals(1792, wide.featureSize());
        assertThrows(IllegalArgumentException.class, () -> new MobileNetV2(4, 0));
    }
}
