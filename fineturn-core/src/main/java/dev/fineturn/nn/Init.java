package dev.fineturn.nn;

import dev.fineturn.backend.Backends;
import dev.fineturn.spi.Backend;
import dev.fineturn.tensor.Shape;
import dev.fineturn.tensor.Tensor;

import java.util.SplittableRandom;

/**
 * Parameter initialisation with a seedable generator (like torch.manual_seed) and the backend new
 * modules are created on. Both are per thread.
 */
public final class Init {
    private static final ThreadLocal<SplittableRandom> RANDOM = ThreadLocal.withInitial(() -> new SplittableRandom(0));
    private static final ThreadLocal<Backend> BACKEND = new ThreadLocal<>();

    private Init() {
    }

    public static void seed(long seed) {
        RANDOM.set(new SplittableRandom(seed));
    }

    /** The backend new modules allocate on; the default backend unless set. */
    public static Backend backend() {
        Backend b = BACKEND.get();
        return b != null ? b : Backends.defaultBackend();
    }

    public static void useBackend(Backend backend) {
        BACKEND.set(backend);
    }

    /** How a freshly created weight is drawn. */
    public enum Scheme {
        /** PyTorch's default for Conv2d/Linear: U(-1/sqrt(fanIn), 1/sqrt(fanIn)). */
        PYTORCH_DEFAULT,
        /** He (Kaiming) normal, fan-in mode: N(0, 2/fanIn). */
        HE,
        /** Xavier (Glorot) uniform: U(-sqrt(6/(fanIn+fanOut)), +). */
        XAVIER
    }

    public static Tensor weight(Scheme scheme, int fanIn, int fanOut, int... shape) {
        SplittableRandom r = RANDOM.get();
        float[] v = new float[(int) Shape.numel(shape)];
        switch (scheme) {
            case PYTORCH_DEFAULT -> {
                double bound = 1.0 / Math.sqrt(fanIn);
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) ((r.nextDouble() * 2 - 1) * bound);
                }
            }
            case HE -> {
                double std = Math.sqrt(2.0 / fanIn);
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (r.nextGaussian() * std);
                }
            }
            case XAVIER -> {
                double bound = Math.sqrt(6.0 / (fanIn + fanOut));
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) ((r.nextDouble() * 2 - 1) * bound);
                }
            }
        }
        return Tensor.of(backend(), v, shape);
    }

    /** PyTorch's default bias: U(-1/sqrt(fanIn), 1/sqrt(fanIn)). */
    public static Tensor bias(int fanIn, int size) {
        SplittableRandom r = RANDOM.get();
        double bound = fanIn > 0 ? 1.0 / Math.sqrt(fanIn) : 0;
        float[] v = new float[size];
        for (int i = 0; i < size; i++) {
            v[i] = (float) ((r.nextDouble() * 2 - 1) * bound);
        }
        return Tensor.of(backend(), v, size);
    }

    public static Tensor constant(float value, int... shape) {
        return Tensor.full(backend(), value, shape);
    }

    /** Draws a fresh seed for stochastic modules (dropout). */
    public static long nextSeed() {
        return RANDOM.get().nextLong();
    }
}
