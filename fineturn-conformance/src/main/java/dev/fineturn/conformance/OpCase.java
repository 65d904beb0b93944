package dev.fineturn.conformance;

import dev.fineturn.tensor.Tensor;

import java.util.Arrays;
import java.util.function.Function;

/**
 * One op under test: a name, the shapes of its differentiable inputs, how their values are drawn,
 * and the function itself. Values are drawn on the host from a fixed seed so that every backend
 * sees the same numbers.
 */
public record OpCase(String name, int[][] shapes, Inputs inputs, Function<Tensor[], Tensor> fn) {

    public static OpCase of(String name, Inputs inputs, Function<Tensor[], Tensor> fn, int[]... shapes) {
        return new OpCase(name, shapes, inputs, fn);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(name).append(' ');
        for (int[] sh : shapes) {
            s.append(Arrays.toString(sh));
        }
        return s.toString();
    }

    /** How input values are drawn; each strategy keeps away from the op's kinks. */
    @FunctionalInterface
    public interface Inputs {
        float[] draw(java.util.SplittableRandom random, int count, int inputIndex);

        /** Uniform in [-range, range] but at least {@code gap} away from zero and from each kink. */
        static Inputs awayFrom(float range, float gap, float... kinks) {
            return (r, n, i) -> {
                float[] v = new float[n];
                for (int k = 0; k < n; k++) {
                    float x;
                    boolean ok;
                    do {
                        x = (float) ((r.nextDouble() * 2 - 1) * range);
                        ok = Math.abs(x) >= gap;
                        for (float kink : kinks) {
                            ok &= Math.abs(x - kink) >= gap;
                        }
                    } while (!ok);
                    v[k] = x;
                }
                return v;
            };
        }

        /** Values in [lo, hi]. */
        static Inputs between(float lo, float hi) {
            return (r, n, i) -> {
                float[] v = new float[n];
                for (int k = 0; k < n; k++) {
                    v[k] = lo + (hi - lo) * (float) r.nextDouble();
                }
                return v;
            };
        }

        /** Distinct values spaced {@code spacing} apart in random order (for max pooling). */
        static Inputs distinct(float spacing) {
            return (r, n, i) -> {
                float[] v = new float[n];
                for (int k = 0; k < n; k++) {
                    v[k] = (k - n / 2f) * spacing;
                }
                for (int k = n - 1; k > 0; k--) {
                    int j = r.nextInt(k + 1);
                    float t = v[k];
                    v[k] = v[j];
                    v[j] = t;
                }
                return v;
            };
        }

        /** A different strategy per input position. */
        static Inputs perInput(Inputs... strategies) {
            return (r, n, i) -> strategies[Math.min(i, strategies.length - 1)].draw(r, n, i);
        }
    }
}
