package dev.fineturn.data;

/** Ready-made training augmentations. */
public final class Augmentations {
    private Augmentations() {
    }

    /**
     * The default for photographs: a random resized crop over 60-100% of the area (aspect 3/4 to
     * 4/3) back to {@code size x size}, and a horizontal flip half of the time.
     */
    public static Transform standard(int size) {
        return Compose.of(new RandomResizedCrop(size, size, 0.6, 1.0), new RandomHorizontalFlip(0.5));
    }
}
