package dev.fineturn.data;

import java.util.List;
import java.util.random.RandomGenerator;

/** Transforms applied in order, sharing the sample's random generator. */
public record Compose(List<Transform> steps) implements Transform {
    public Compose {
        steps = List.copyOf(steps);
    }

    public static Compose of(Transform... steps) {
        return new Compose(List.of(steps));
    }

    @Override
    public Sample apply(Sample sample, RandomGenerator random) {
        Sample s = sample;
        for (Transform t : steps) {
            s = t.apply(s, random);
        }
        return s;
    }
}
