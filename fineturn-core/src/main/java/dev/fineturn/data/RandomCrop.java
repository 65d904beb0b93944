package dev.fineturn.data;

import java.util.random.RandomGenerator;

/** A uniformly placed {@code height x width} window of the image zero-padded by {@code padding}. */
public record RandomCrop(int height, int width, int padding) implements Transform {
    public RandomCrop {
        if (height < 1 || width < 1 || padding < 0) {
            throw new IllegalArgumentException("RandomCrop: size " + height + "x" + width + " must be positive and "
                    + "padding " + padding + " not negative");
        }
    }

    public RandomCrop(int height, int width) {
        this(height, width, 0);
    }

    @Override
    public Sample apply(Sample s, RandomGenerator random) {
        int rangeY = s.height() + 2 * padding - height;
        int rangeX = s.width() + 2 * padding - width;
        if (rangeY < 0 || rangeX < 0) {
            throw new IllegalArgumentException("RandomCrop: crop " + height + "x" + width + " is larger than the "
                    + s.height() + "x" + s.width() + " image padded by " + padding);
        }
        int top = random.nextInt(rangeY + 1);
        int left = random.nextInt(rangeX + 1);
        return Crops.crop(s, padding, top, left, height, width);
    }
}
