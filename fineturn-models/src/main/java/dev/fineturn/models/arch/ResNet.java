package dev.fineturn.models.arch;

import dev.fineturn.nn.Activation;
import dev.fineturn.nn.AdaptiveAvgPool2d;
import dev.fineturn.nn.BatchNorm2d;
import dev.fineturn.nn.Classifier;
import dev.fineturn.nn.Conv2d;
import dev.fineturn.nn.FusedInference;
import dev.fineturn.nn.Linear;
import dev.fineturn.nn.MaxPool2d;
import dev.fineturn.nn.PlannedBuffer;
import dev.fineturn.nn.Layer;
import dev.fineturn.nn.Sequential;
import dev.fineturn.spi.ConvEpilogue;
import dev.fineturn.tensor.Tensor;

import java.util.List;

/**
 * torchvision's ResNet with identical state-dict names. Blocks, in order: conv1, bn1, relu,
 * maxpool, layer1..layer4, avgpool, fc; {@code freezeFirst(8)} freezes everything but the head.
 */
public final class ResNet extends Classifier {
    /** The residual block type and its channel expansion. */
    public enum Block {
        BASIC(BasicBlock.EXPANSION),
        BOTTLENECK(Bottleneck.EXPANSION);

        final int expansion;

        Block(int expansion) {
            this.expansion = expansion;
        }

        Layer create(int inplanes, int planes, int stride, Layer downsample) {
            return this == BASIC ? new BasicBlock(inplanes, planes, stride, downsample)
                    : new Bottleneck(inplanes, planes, stride, downsample);
        }
    }

    private final Block block;
    private final int[] layers;
    private final int width;
    /** The fused stem's output, which only the max pool reads. */
    private final PlannedBuffer stemOutput = new PlannedBuffer();

    private static final List<String> BACKBONE = List.of("conv1", "bn1", "relu", "maxpool", "layer1", "layer2",
            "layer3", "layer4", "avgpool");

    /**
     * @param layers blocks per stage, four stages
     * @param width  channels of the stem and the first stage (torchvision: 64); stage i has width * 2^i planes
     */
    public ResNet(Block block, int[] layers, int width, int numClasses) {
        if (layers.length != 4 || width < 1) {
            throw new IllegalArgumentException("ResNet: need 4 stage depths and a positive width, got "
                    + java.util.Arrays.toString(layers) + ", width " + width);
        }
        ArchChecks.numClasses("ResNet", numClasses);
        this.block = block;
        this.layers = layers.clone();
        this.width = width;
        registerModule("conv1", new Conv2d(3, width, 7, 2, 3, false));
        registerModule("bn1", BatchNorm2d.inPlace(width));
        registerModule("relu", Activation.reluInPlace());
        registerModule("maxpool", new MaxPool2d(3, 2, 1, false));
        int inplanes = width;
        for (int stage = 0; stage < 4; stage++) {
            int planes = width << stage;
            registerModule("layer" + (stage + 1), stage(block, inplanes, planes, layers[stage], stage == 0 ? 1 : 2));
            inplanes = planes * block.expansion;
        }
        registerModule("avgpool", new AdaptiveAvgPool2d(1));
        registerModule("fc", new Linear(inplanes, numClasses, true));
    }

    private static Sequential stage(Block block, int inplanes, int planes, int blocks, int stride) {
        int out = planes * block.expansion;
        Layer downsample = stride != 1 || inplanes != out
                ? new Sequential(new Conv2d(inplanes, out, 1, stride, 0, false), BatchNorm2d.inPlace(out))
                : null;
        Sequential layer = new Sequential(block.create(inplanes, planes, stride, downsample));
        for (int i = 1; i < blocks; i++) {
            layer.add(block.create(out, planes, 1, null));
        }
        return layer;
    }

    public static ResNet resnet18(int numClasses) {
        return new ResNet(Block.BASIC, new int[]{2, 2, 2, 2}, 64, numClasses);
    }

    public static ResNet resnet34(int numClasses) {
        return new ResNet(Block.BASIC, new int[]{3, 4, 6, 3}, 64, numClasses);
    }

    public static ResNet resnet50(int numClasses) {
        return new ResNet(Block.BOTTLENECK, new int[]{3, 4, 6, 3}, 64, numClasses);
    }

    /** "resnet18", "resnet34" or "resnet50" when built as torchvision builds it, else null. */
    String torchvisionName() {
        if (width != 64) {
            return null;
        }
        if (block == Block.BASIC && java.util.Arrays.equals(layers, new int[]{2, 2, 2, 2})) {
            return "resnet18";
        }
        if (java.util.Arrays.equals(layers, new int[]{3, 4, 6, 3})) {
            return block == Block.BASIC ? "resnet34" : "resnet50";
        }
        return null;
    }

    @Override
    public String headPath() {
        return "fc";
    }

    @Override
    protected Tensor backbone(Tensor x) {
        Tensor h;
        Conv2d stem = (Conv2d) children().get("conv1");
        BatchNorm2d stemNorm = (BatchNorm2d) children().get("bn1");
        if (FusedInference.applies(x, stem, stemNorm)) {
            Tensor s = stem.forwardFused(stemNorm, ConvEpilogue.RELU, x, null, stemOutput);
            try {
                h = children().get("maxpool").forward(s);
            } finally {
                stemOutput.release(s);
            }
        } else {
            h = children().get("maxpool").forward(
                    ResNetBlocks.normActivate(stemNorm, stem.forward(x), null, children().get("relu")));
        }
        for (String name : BACKBONE.subList(4, BACKBONE.size())) {
            h = children().get(name).forward(h);
        }
        return h.flatten(1);
    }

    @Override
    public int inputChannels() {
        return 3;
    }
}
