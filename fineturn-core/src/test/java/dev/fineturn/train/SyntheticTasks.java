package dev.fineturn.train;

import dev.fineturn.data.InMemoryDataset;

import java.util.SplittableRandom;

/**
 * Small image tasks for end-to-end tests: 3x12x12 images of stripes with noise. Task A labels the
 * stripe orientation (4 classes); task B, the "new" task, labels orientation and stripe width
 * (8 classes), so features learnt on A transfer to B in part.
 */
final class SyntheticTasks {
    static final int SIZE = 12;

    private SyntheticTasks() {
    }

    static InMemoryDataset orientation(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] px = new float[n * 3 * SIZE * SIZE];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            int label = r.nextInt(4);
            labels[i] = label;
            int channel = r.nextInt(3);
            draw(px, i, label, 3 + r.nextInt(2), channel, r.nextInt(4), r);
        }
        return new InMemoryDataset(px, labels, new int[]{3, SIZE, SIZE}, 4);
    }

    static InMemoryDataset orientationAndPeriod(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] px = new float[n * 3 * SIZE * SIZE];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            int period = r.nextInt(2);
            int orientation = r.nextInt(4);
            labels[i] = orientation * 2 + period;
            draw(px, i, orientation, period == 0 ? 2 : 6, r.nextInt(3), r.nextInt(4), r);
        }
        return new InMemoryDataset(px, labels, new int[]{3, SIZE, SIZE}, 8);
    }

    private static void draw(float[] px, int i, int orientation, int period, int channel, int phase,
                             SplittableRandom r) {
        int base = i * 3 * SIZE * SIZE;
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < SIZE; y++) {
                for (int x = 0; x < SIZE; x++) {
                    int t = switch (orientation) {
                        case 0 -> y;
                        case 1 -> x;
                        case 2 -> x + y;
                        default -> x - y + SIZE;
                    };
                    float stripe = ((t + phase) / Math.max(1, period / 2)) % 2 == 0 ? 1f : 0f;
                    float v = (c == channel ? stripe : 0.2f * stripe) + 0.15f * (float) r.nextGaussian();
                    px[base + (c * SIZE + y) * SIZE + x] = v;
                }
            }
        }
    }
}
