package dev.fineturn.data;

import java.util.random.RandomGenerator;

/** The central {@code height x width} window; an odd margin leaves the extra pixel at the bottom/right. */
public record CenterCrop(int height, int width) implements Transform {
    public CenterCrop {
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("CenterCrop: size " + height + "x" + width + " must be positive");
        }
    }

    @Override
    public Sample apply(Sample s, RandomGenerator random) {
        if (height > s.height() || width > s.width()) {
            throw new IllegalArgumentException("CenterCrop: crop " + height + "x" + width + " is larger than the "
                    + s.height() + "x" + s.width() + " image");
        }
        return Crops.crop(s, 0, (s.height() - height) / 2, (s.width() - width) / 2, height, width);
    }
}
