package dev.fineturn.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Seeded train/validation splits and k-fold cross-validation. */
public final class Datasets {
    private Datasets() {
    }

    /**
     * Holds out {@code round(size * validationFraction)} randomly chosen samples for validation.
     * Both parts keep the dataset's order; the same seed always gives the same split.
     */
    public static Split split(Dataset dataset, double validationFraction, long seed) {
        if (!(validationFraction > 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("split: validation fraction " + validationFraction
                    + " must be between 0 and 1 (exclusive)");
        }
        int n = dataset.size();
        int validation = (int) Math.round(n * validationFraction);
        if (validation < 1 || validation > n - 1) {
            throw new IllegalArgumentException("split: a validation fraction of " + validationFraction + " of "
                    + n + " samples leaves " + validation + " for validation and " + (n - validation)
                    + " for training; both need at least one");
        }
        int[] order = Seeds.permutation(n, Seeds.random(seed, Seeds.SPLIT));
        return partition(dataset, order, 0, validation);
    }

    /**
     * k (train, validation) pairs: the samples are shuffled once and cut into k folds of sizes
     * differing by at most one; fold f validates on part f and trains on the others.
     */
    public static List<Split> kFold(Dataset dataset, int k, long seed) {
        int n = dataset.size();
        if (k < 2 || k > n) {
            throw new IllegalArgumentException("kFold: k = " + k + " must be between 2 and the dataset size " + n);
        }
        int[] order = Seeds.permutation(n, Seeds.random(seed, Seeds.SPLIT, k));
        List<Split> folds = new ArrayList<>(k);
        for (int f = 0; f < k; f++) {
            folds.add(partition(dataset, order, (int) ((long) f * n / k), (int) ((long) (f + 1) * n / k)));
        }
        return folds;
    }

    /** Validation is {@code order[from, to)}, training the rest; both sorted. */
    private static Split partition(Dataset dataset, int[] order, int from, int to) {
        int[] validation = Arrays.copyOfRange(order, from, to);
        int[] train = new int[order.length - validation.length];
        System.arraycopy(order, 0, train, 0, from);
        System.arraycopy(order, to, train, from, order.length - to);
        Arrays.sort(validation);
        Arrays.sort(train);
        return new Split(dataset.subset(train), dataset.subset(validation));
    }
}
