package dev.fineturn.models.arch;

import dev.fineturn.nn.Classifier;
import dev.fineturn.nn.Init;
import dev.fineturn.reference.ReferenceBackend;
import dev.fineturn.spi.Backend;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static dev.fineturn.models.arch.Vgg.M;

/**
 * Eval-mode logits against torchvision models whose channel counts were shrunk so the weights can
 * be committed (fixtures/arch, make_arch_fixtures.py): same module names, torchvision's own blocks.
 */
class NarrowPyTorchParityTest {
    private final Backend b = ReferenceBackend.get();

    @BeforeEach
    void onReference() {
        Init.useBackend(b);
        Init.seed(1);
    }

    private void check(String name, Classifier model) {
        ArchFixtures.assertLogitsMatch(ArchFixtures.committed(), name, model, b);
    }

    @Test
    void mobilenetV2WidthQuarter() {
        check("mobilenet_v2_w025", new MobileNetV2(10, 0.25));
    }

    @Test
    void resnet18LayoutWidth4() {
        check("resnet18_w4", new ResNet(ResNet.Block.BASIC, new int[]{2, 2, 2, 2}, 4, 10));
    }

    @Test
    void resnet50LayoutWidth4() {
        check("resnet50_w4", new ResNet(ResNet.Block.BOTTLENECK, new int[]{3, 4, 6, 3}, 4, 10));
    }

    @Test
    void vgg11BnLayoutSixteenthWidth() {
        int[] config = {4, M, 8, M, 16, 16, M, 32, 32, M, 32, 32, M};
        check("vgg11_bn_d16", new Vgg(config, true, 16, 10));
    }
}
