package dev.fineturn.spi;

/** The counter-based random numbers behind dropout, identical on every backend. */
public final class DropoutHash {
    private DropoutHash() {
    }

    /** splitmix64 of (seed, index), top 24 bits as a float in [0, 1). */
    public static float uniform(long seed, long index) {
        long z = seed + (index + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return (z >>> 40) * 0x1.0p-24f;
    }
}
