package dev.fineturn.data;

import java.util.random.RandomGenerator;

/**
 * torchvision's {@code RandomResizedCrop}: a window covering a random fraction of the image's area
 * in {@code [minScale, maxScale]}, with a log-uniform aspect ratio in {@code [3/4, 4/3]}, resized
 * bilinearly to {@code height x width}. After ten draws that do not fit, the whole image (centre
 * crop to the nearest allowed ratio) is used, as torchvision does.
 */
public record RandomResizedCrop(int height, int width, double minScale, double maxScale) implements Transform {
    private static final double MIN_RATIO = 3.0 / 4;
    private static final double MAX_RATIO = 4.0 / 3;

    public RandomResizedCrop {
        if (height < 1 || width < 1 || !(minScale > 0 && minScale <= maxScale && maxScale <= 1)) {
            throw new IllegalArgumentException("RandomResizedCrop: size " + height + "x" + width
                    + " must be positive and the scale range [" + minScale + ", " + maxScale + "] inside (0, 1]");
        }
    }

    @Override
    public Sample apply(Sample s, RandomGenerator random) {
        int h = s.height();
        int w = s.width();
        double area = (double) h * w;
        for (int attempt = 0; attempt < 10; attempt++) {
            double target = area * (minScale + random.nextDouble() * (maxScale - minScale));
            double ratio = Math.exp(Math.log(MIN_RATIO) + random.nextDouble() * (Math.log(MAX_RATIO)
                    - Math.log(MIN_RATIO)));
            int cw = (int) Math.round(Math.sqrt(target * ratio));
            int ch = (int) Math.round(Math.sqrt(target / ratio));
            if (cw > 0 && ch > 0 && cw <= w && ch <= h) {
                int top = random.nextInt(h - ch + 1);
                int left = random.nextInt(w - cw + 1);
                return resized(s, top, left, ch, cw);
            }
        }
        double ratio = (double) w / h;
        int cw = w;
        int ch = h;
        if (ratio < MIN_RATIO) {
            ch = (int) Math.round(w / MIN_RATIO);
        } else if (ratio > MAX_RATIO) {
            cw = (int) Math.round(h * MAX_RATIO);
        }
        return resized(s, (h - ch) / 2, (w - cw) / 2, ch, cw);
    }

    private Sample resized(Sample s, int top, int left, int ch, int cw) {
        Sample window = Crops.crop(s, 0, top, left, ch, cw);
        return window.withPixels(Resize.bilinear(window.pixels(), s.channels(), ch, cw, height, width),
                s.channels(), height, width);
    }
}
