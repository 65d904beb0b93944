package dev.fineturn.models.arch;

import dev.fineturn.nn.Layer;
import dev.fineturn.ops.Pooling;
import dev.fineturn.ops.ShapeOps;
import dev.fineturn.tensor.Shape;
import dev.fineturn.tensor.Tensor;

/**
 * PyTorch's {@code AdaptiveAvgPool2d((outH, outW))}: output cell i averages input rows
 * {@code floor(i*H/outH)} to {@code ceil((i+1)*H/outH)} (exclusive), likewise for columns, so
 * windows may overlap or repeat when the input is not a multiple of the output.
 */
public final class AdaptiveAveragePool extends Layer {
    private final int outH;
    private final int outW;

    public AdaptiveAveragePool(int outH, int outW) {
        if (outH < 1 || outW < 1) {
            throw new IllegalArgumentException("AdaptiveAveragePool: output size " + outH + "x" + outW
                    + " must be positive");
        }
        this.outH = outH;
        this.outW = outW;
    }

    /** Output rows and columns. */
    public int[] outputSize() {
        return new int[]{outH, outW};
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 4) {
            throw new IllegalArgumentException("AdaptiveAveragePool: expected an NCHW input, got "
                    + Shape.str(x.shape()));
        }
        int h = x.dim(2);
        int w = x.dim(3);
        if (h == outH && w == outW) {
            return x;
        }
        if (h % outH == 0 && w % outW == 0) {
            int kh = h / outH;
            int kw = w / outW;
            return Pooling.avgPool2d(x, Pooling.geometry("adaptive_avg_pool2d", x, kh, kw, kh, kw, 0, 0, 0, 0,
                    false, true));
        }
        // A window is a product of a row range and a column range, so the mean separates.
        return poolAlong(poolAlong(x, 2, outH), 3, outW);
    }

    private static Tensor poolAlong(Tensor x, int dim, int out) {
        int in = x.dim(dim);
        if (in == out) {
            return x;
        }
        Tensor[] cells = new Tensor[out];
        for (int i = 0; i < out; i++) {
            int start = (int) ((long) i * in / out);
            int end = (int) (((long) (i + 1) * in + out - 1) / out);
            cells[i] = x.slice(dim, start, end).mean(new int[]{dim}, true);
        }
        return ShapeOps.concat(dim, cells);
    }

    @Override
    public String toString() {
        return "AdaptiveAveragePool(" + outH + ", " + outW + ")";
    }
}
