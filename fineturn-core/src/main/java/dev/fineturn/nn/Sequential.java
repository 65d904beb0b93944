package dev.fineturn.nn;

import dev.fineturn.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/** Children applied in order; unnamed children are named "0", "1", ... as in PyTorch. */
public class Sequential extends Layer {
    public Sequential(Layer... layers) {
        for (Layer m : layers) {
            add(m);
        }
    }

    public final Sequential add(Layer m) {
        registerModule(Integer.toString(children().size()), m);
        return this;
    }

    public final Sequential add(String name, Layer m) {
        registerModule(name, m);
        return this;
    }

    public List<Layer> layers() {
        return new ArrayList<>(children().values());
    }

    /**
     * Each run of a {@link Conv2d}, an optional {@link BatchNorm2d} and an optional ReLU or ReLU6
     * runs as one fused convolution where {@link FusedInference#applies}; otherwise a batch norm and the
     * ReLU or ReLU6 after it run as one op ({@link BatchNorm2d#forward(Tensor, Tensor,
     * dev.fineturn.spi.ConvEpilogue)}). Every other child runs its own forward.
     */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, children().size());
    }

    /** The first {@code count} children, run as {@link #forward(Tensor)} runs them. */
    public Tensor forward(Tensor x, int count) {
        List<Layer> layers = layers().subList(0, count);
        Tensor y = x;
        for (int i = 0; i < layers.size(); i++) {
            Layer m = layers.get(i);
            if (m instanceof Conv2d conv) {
                BatchNorm2d bn = i + 1 < layers.size() && layers.get(i + 1) instanceof BatchNorm2d b ? b : null;
                int next = bn == null ? i + 1 : i + 2;
                dev.fineturn.spi.ConvEpilogue act = next < layers.size() ? FusedInference.epilogueOf(layers.get(next))
                        : null;
                Layer[] run = java.util.stream.Stream.of(conv, bn, act == null ? null : layers.get(next))
                        .filter(java.util.Objects::nonNull).toArray(Layer[]::new);
                if (FusedInference.applies(y, run)) {
                    y = conv.forwardFused(bn, act == null ? dev.fineturn.spi.ConvEpilogue.NONE : act, y, null, null);
                    i = act == null ? next - 1 : next;
                    continue;
                }
            }
            if (m instanceof BatchNorm2d bn && i + 1 < layers.size() && FusedInference.isEnabled()) {
                dev.fineturn.spi.ConvEpilogue act = FusedInference.epilogueOf(layers.get(i + 1));
                if (act != null) {
                    y = bn.forward(y, null, act);
                    i++;
                    continue;
                }
            }
            y = m.forward(y);
        }
        return y;
    }
}
