package dev.fineturn.data;

import java.util.random.RandomGenerator;

/**
 * Maps a sample to a new sample. Random transforms draw only from {@code random}, which the
 * caller seeds per sample, so results do not depend on threads or call order.
 */
@FunctionalInterface
public interface Transform {
    Sample apply(Sample sample, RandomGenerator random);

    /** This transform, then {@code next}. */
    default Transform andThen(Transform next) {
        return Compose.of(this, next);
    }
}
