package dev.fineturn.spark;

import java.util.Random;

/** The order in which a rank visits its shard in an epoch: as stored, or a seeded shuffle. */
public final class ShardOrder {
    private ShardOrder() {
    }

    public static int[] of(int size, boolean shuffle, long seed, int epoch) {
        int[] order = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        if (shuffle) {
            Random r = new Random(seed * 1_000_003L + epoch);
            for (int i = size - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        return order;
    }
}
