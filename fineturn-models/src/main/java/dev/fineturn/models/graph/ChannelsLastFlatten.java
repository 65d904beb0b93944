package dev.fineturn.models.graph;

import dev.fineturn.nn.Layer;
import dev.fineturn.tensor.Tensor;

/** Keras' Flatten on channels-last data: NCHW is flattened in NHWC order. */
public final class ChannelsLastFlatten extends Layer {
    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 4) {
            return x.flatten(1);
        }
        return x.permute(0, 2, 3, 1).flatten(1);
    }

    @Override
    public String toString() {
        return "Flatten(channels_last)";
    }
}
