package dev.fineturn.cli;

import dev.fineturn.cli.report.FilterGrid;
import dev.fineturn.data.Sample;
import dev.fineturn.models.graph.GraphModel;
import dev.fineturn.spi.Backend;
import dev.fineturn.tensor.GradMode;
import dev.fineturn.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code fineturn visualize}: the first-layer filters as an image grid (the edges, corners and
 * colour blobs that lower layers learn), and optionally one image's feature maps at a layer.
 */
@Command(name = "visualize", mixinStandardHelpOptions = true,
        description = "Draw the first-layer filters, and optionally the feature maps of one image.")
final class VisualizeCommand implements Callable<Integer> {
    @Mixin
    BackendOption common;

    @Mixin
    PreprocessOption preprocessing;

    @Mixin
    ModelOption modelOption;

    @Option(names = "--out", required = true, description = "PNG file for the filter grid.")
    Path out;

    @Option(names = "--image", description = "An image whose feature maps to draw (needs --layer and --maps).")
    Path image;

    @Option(names = "--layer", description = "Layer (graph node) whose output to draw.")
    String layer;

    @Option(names = "--maps", description = "PNG file for the feature maps.")
    Path maps;

    @Option(names = "--size", defaultValue = "224")
    int size;

    @Override
    public Integer call() throws Exception {
        Backend backend = common.select();
        ModelFiles.Loaded m = preprocessing.apply(modelOption.open(backend, common.quiet, common.verbose));
        Map.Entry<String, Tensor> conv = FilterGrid.firstConvolution(m.model());
        FilterGrid.write(out, conv.getValue(), 16);
        System.out.println("wrote " + conv.getValue().dim(0) + " filters of " + conv.getKey() + " "
                + dev.fineturn.tensor.Shape.str(conv.getValue().shape()) + " to " + out);
        if (image != null) {
            if (layer == null || maps == null || !(m.model() instanceof GraphModel g)) {
                throw new IllegalArgumentException("feature maps need --layer and --maps, and an imported graph model");
            }
            BufferedImage img = ImageIO.read(image.toFile());
            if (img == null) {
                throw new IllegalArgumentException(image + ": not a readable PNG/JPEG image");
            }
            float[] px = new float[3 * img.getHeight() * img.getWidth()];
            int hw = img.getHeight() * img.getWidth();
            for (int y = 0; y < img.getHeight(); y++) {
                for (int x = 0; x < img.getWidth(); x++) {
                    int rgb = img.getRGB(x, y);
                    for (int c = 0; c < 3; c++) {
                        px[c * hw + y * img.getWidth() + x] = (rgb >> (16 - 8 * c) & 0xff) / 255f;
                    }
                }
            }
            Sample s = new dev.fineturn.data.Resize(size, size).apply(new Sample(px, 3, img.getHeight(),
                    img.getWidth(), 0), new java.util.SplittableRandom(0));
            try (var gm = GradMode.noGrad()) {
                g.eval();
                Tensor a = g.activation(Tensor.of(backend, s.pixels(), 1, 3, size, size), layer);
                writeMaps(maps, a);
                System.out.println("wrote " + a.dim(1) + " feature maps of " + layer + " "
                        + dev.fineturn.tensor.Shape.str(a.shape()) + " to " + maps);
            }
        }
        return 0;
    }

    private static void writeMaps(Path file, Tensor a) throws java.io.IOException {
        int c = Math.min(a.dim(1), 64);
        int h = a.dim(2);
        int w = a.dim(3);
        float[] v = a.toArray();
        int cols = (int) Math.ceil(Math.sqrt(c));
        int scale = Math.max(1, 64 / Math.max(h, w));
        BufferedImage img = new BufferedImage(cols * (w * scale + 2), ((c + cols - 1) / cols) * (h * scale + 2),
                BufferedImage.TYPE_INT_RGB);
        for (int k = 0; k < c; k++) {
            float lo = Float.POSITIVE_INFINITY;
            float hi = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < h * w; i++) {
                lo = Math.min(lo, v[k * h * w + i]);
                hi = Math.max(hi, v[k * h * w + i]);
            }
            int ox = (k % cols) * (w * scale + 2);
            int oy = (k / cols) * (h * scale + 2);
            for (int y = 0; y < h * scale; y++) {
                for (int x = 0; x < w * scale; x++) {
                    float f = (v[k * h * w + (y / scale) * w + x / scale] - lo) / Math.max(hi - lo, 1e-12f);
                    int g = Math.round(255 * f);
                    img.setRGB(ox + x, oy + y, g << 16 | g << 8 | g);
                }
            }
        }
        ImageIO.write(img, "png", file.toFile());
    }
}
