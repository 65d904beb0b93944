package dev.fineturn.train.linear;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Stratified k-fold assignment: each class's rows, shuffled with the seed, are dealt round-robin over the
 * folds, continuing where the previous class stopped so fold sizes differ by at most one.
 */
public final class StratifiedFolds {
    private StratifiedFolds() {
    }

    /** The fold of every row. */
    public static int[] assign(int[] labels, int classes, int folds, long seed) {
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            byClass.add(new ArrayList<>());
        }
        for (int i = 0; i < labels.length; i++) {
            byClass.get(labels[i]).add(i);
        }
        SplittableRandom random = new SplittableRandom(seed);
        int[] fold = new int[labels.length];
        int next = 0;
        for (List<Integer> members : byClass) {
            for (int i = members.size() - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                members.set(j, members.set(i, members.get(j)));
            }
            for (int row : members) {
                fold[row] = next;
                next = (next + 1) % folds;
            }
        }
        return fold;
    }

    /** Rows in fold f ({@code held} true) or in every other fold, ascending. */
    public static int[] rows(int[] fold, int f, boolean held) {
        int count = 0;
        for (int v : fold) {
            if ((v == f) == held) {
                count++;
            }
        }
        int[] rows = new int[count];
        int i = 0;
        for (int r = 0; r < fold.length; r++) {
            if ((fold[r] == f) == held) {
                rows[i++] = r;
            }
        }
        return rows;
    }

    /** The smallest row count among classes that have rows; 0 when there are none. */
    public static int smallestClass(int[] labels, int classes) {
        int[] counts = new int[classes];
        for (int label : labels) {
            counts[label]++;
        }
        int min = Integer.MAX_VALUE;
        for (int count : counts) {
            if (count > 0) {
                min = Math.min(min, count);
            }
        }
        return min == Integer.MAX_VALUE ? 0 : min;
    }
}
