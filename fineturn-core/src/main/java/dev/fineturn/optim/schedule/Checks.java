package dev.fineturn.optim.schedule;

/** Argument checks shared by the schedules; every failure is an {@link IllegalArgumentException}. */
final class Checks {
    private Checks() {}

    static long step(long step) {
        if (step < 0) {
            throw new IllegalArgumentException("optimiser step must be >= 0, got " + step);
        }
        return step;
    }

    static long atLeast(String name, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be >= " + min + ", got " + value);
        }
        return value;
    }

    static double positive(String name, double value) {
        if (!(value > 0) || !Double.isFinite(value)) {
            throw new IllegalArgumentException(name + " must be a finite number > 0, got " + value);
        }
        return value;
    }

    /** {@code lo <= value <= hi}, NaN rejected. */
    static double within(String name, double value, double lo, double hi) {
        if (!(value >= lo && value <= hi)) {
            throw new IllegalArgumentException(name + " must be in [" + lo + ", " + hi + "], got " + value);
        }
        return value;
    }
}
