package dev.fineturn.data;

import javax.imageio.ImageIO;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Decodes PNG and JPEG files to 3-channel CHW floats in [0, 1]. */
public final class ImageDecoder {
    private ImageDecoder() {
    }

    public static Sample decode(Path file, int label) throws IOException {
        requireImageIo();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new DatasetFormatException(file, "cannot read image file: " + e, e);
        }
        return decode(bytes, file, label);
    }

    /** Decodes an image held in memory; {@code file} is where it came from, for error messages. */
    public static Sample decode(byte[] bytes, Path file, int label) throws IOException {
        requireImageIo();
        // An explicit in-memory stream: given a plain InputStream, ImageIO buffers through a temporary file.
        ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes));
        BufferedImage image;
        try {
            image = ImageIO.read(in);
        } catch (IOException | RuntimeException e) {
            throw new DatasetFormatException(file, "cannot decode image: " + e.getMessage(), e);
        }
        if (image == null) {
            in.close();
            throw new DatasetFormatException(file, "is not a PNG or JPEG image that ImageIO can decode");
        }
        return new Sample(toRgb(image), 3, image.getHeight(), image.getWidth(), label);
    }

    private static void requireImageIo() {
        Module self = ImageDecoder.class.getModule();
        ModuleLayer layer = self.isNamed() && self.getLayer() != null ? self.getLayer() : ModuleLayer.boot();
        if (layer.findModule("java.desktop").isEmpty()) {
            throw new IllegalStateException("decoding PNG/JPEG images needs the java.desktop module (ImageIO): add "
                    + "'requires java.desktop;' to your module-info.java, or run with --add-modules java.desktop");
        }
    }

    static float[] toRgb(BufferedImage image) {
        int h = image.getHeight();
        int w = image.getWidth();
        int plane = h * w;
        float[] out = new float[3 * plane];
        if (image.getColorModel().getNumColorComponents() == 1) {
            // getRGB would pass grey values through a linear-to-sRGB conversion; the stored samples are what we want.
            Raster raster = image.getRaster();
            float max = (1 << raster.getSampleModel().getSampleSize(0)) - 1;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    float v = raster.getSample(x, y, 0) / max;
                    int i = y * w + x;
                    out[i] = v;
                    out[plane + i] = v;
                    out[2 * plane + i] = v;
                }
            }
            return out;
        }
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int argb = row[x];
                int i = y * w + x;
                out[i] = ((argb >> 16) & 0xff) / 255f;
                out[plane + i] = ((argb >> 8) & 0xff) / 255f;
                out[2 * plane + i] = (argb & 0xff) / 255f;
            }
        }
        return out;
    }
}
