package dev.fineturn.data;

import java.util.SplittableRandom;

/** Derives independent, reproducible random streams from a seed and coordinates (epoch, sample). */
final class Seeds {
    static final long SHUFFLE = 0x53485546464c45L;
    static final long TRANSFORM = 0x5452414e53464fL;
    static final long SPLIT = 0x53504c4954L;
    static final long MAP = 0x4d4150L;

    private Seeds() {
    }

    static SplittableRandom random(long... parts) {
        return new SplittableRandom(mix(parts));
    }

    static long mix(long... parts) {
        long h = 0x9E3779B97F4A7C15L;
        for (long p : parts) {
            h = finish(h ^ finish(p + 0x9E3779B97F4A7C15L));
        }
        return h;
    }

    /** The SplitMix64 finaliser. */
    private static long finish(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A uniformly random permutation of {@code 0..n-1} (Fisher-Yates). */
    static int[] permutation(int n, SplittableRandom random) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
