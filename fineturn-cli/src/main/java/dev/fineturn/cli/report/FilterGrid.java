package dev.fineturn.cli.report;

import dev.fineturn.nn.Layer;
import dev.fineturn.tensor.Tensor;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The first convolution's filters as an image grid: each [in, kh, kw] filter becomes a small RGB
 * (or grey) tile, contrast-stretched per filter so edge and colour detectors are visible.
 */
public final class FilterGrid {
    private FilterGrid() {
    }

    /** The first 4-D parameter named like a convolution weight, in model order. */
    public static Map.Entry<String, Tensor> firstConvolution(Layer model) {
        for (Map.Entry<String, Tensor> e : model.namedParameters().entrySet()) {
            if (e.getValue().rank() == 4 && e.getValue().dim(1) <= 4) {
                return e;
            }
        }
        throw new IllegalArgumentException("the model has no convolution over an image (a 4-D weight with at most "
                + "4 input channels)");
    }

    public static void write(Path file, Tensor weight, int scale) throws IOException {
        int out = weight.dim(0);
        int in = weight.dim(1);
        int kh = weight.dim(2);
        int kw = weight.dim(3);
        float[] w = weight.toArray();
        int cols = (int) Math.ceil(Math.sqrt(out));
        int rows = (out + cols - 1) / cols;
        int gap = 2;
        int tileW = kw * scale;
        int tileH = kh * scale;
        BufferedImage img = new BufferedImage(cols * (tileW + gap) + gap, rows * (tileH + gap) + gap,
                BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                img.setRGB(x, y, 0x202020);
            }
        }
        for (int f = 0; f < out; f++) {
            float lo = Float.POSITIVE_INFINITY;
            float hi = Float.NEGATIVE_INFINITY;
            int base = f * in * kh * kw;
            for (int i = 0; i < in * kh * kw; i++) {
                lo = Math.min(lo, w[base + i]);
                hi = Math.max(hi, w[base + i]);
            }
            float range = Math.max(hi - lo, 1e-12f);
            int ox = gap + (f % cols) * (tileW + gap);
            int oy = gap + (f / cols) * (tileH + gap);
            for (int y = 0; y < kh; y++) {
                for (int x = 0; x < kw; x++) {
                    int[] rgb = new int[3];
                    for (int c = 0; c < 3; c++) {
                        int ch = in >= 3 ? c : 0;
                        rgb[c] = Math.round(255 * (w[base + (ch * kh + y) * kw + x] - lo) / range);
                    }
                    int color = rgb[0] << 16 | rgb[1] << 8 | rgb[2];
                    for (int dy = 0; dy < scale; dy++) {
                        for (int dx = 0; dx < scale; dx++) {
                            img.setRGB(ox + x * scale + dx, oy + y * scale + dy, color);
                        }
                    }
                }
            }
        }
        ImageIO.write(img, "png", file.toFile());
    }
}
