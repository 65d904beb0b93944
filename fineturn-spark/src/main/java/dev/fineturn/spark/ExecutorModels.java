package dev.fineturn.spark;

import dev.fineturn.backend.Backends;
import dev.fineturn.io.NamedTensor;
import dev.fineturn.nn.Classifier;
import dev.fineturn.nn.Layer;
import dev.fineturn.spi.Backend;
import dev.fineturn.tensor.Tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The models rebuilt in this JVM from broadcasts, one per backbone hash: every task of every job
 * that ships the same weights shares it. Callers lock the model while they run it.
 */
public final class ExecutorModels {
    private static final Map<String, Classifier> MODELS = new ConcurrentHashMap<>();
    private static final AtomicLong REBUILDS = new AtomicLong();
    private static final java.util.concurrent.atomic.AtomicReference<Map.Entry<String, Classifier>> LATEST =
            new java.util.concurrent.atomic.AtomicReference<>();

    private ExecutorModels() {
    }

    /** The model of {@code b}, rebuilt on first use in this JVM. */
    public static Classifier get(BackboneBroadcast b) {
        return MODELS.computeIfAbsent(b.backboneHash(), h -> rebuild(b));
    }

    /**
     * The model of {@code b} for one job ({@code job}, unique per job): rebuilt once per JVM and job
     * and shared by the job's tasks, for weights that change from job to job (each epoch's, whose
     * head and backbone both train), where a cache by backbone hash would mix up heads. Only the
     * latest job's model is kept.
     */
    public static Classifier forJob(BackboneBroadcast b, String job) {
        synchronized (LATEST) {
            Map.Entry<String, Classifier> e = LATEST.get();
            if (e != null && e.getKey().equals(job)) {
                return e.getValue();
            }
            LATEST.set(null);
            Classifier model = rebuild(b);
            LATEST.set(Map.entry(job, model));
            return model;
        }
    }

    /** A private copy of the model of {@code b}, for training (never shared). */
    public static Classifier fresh(BackboneBroadcast b) {
        return rebuild(b);
    }

    /** How many models this JVM has rebuilt from broadcasts. */
    public static long rebuilds() {
        return REBUILDS.get();
    }

    static Backend backend(BackboneBroadcast b) {
        return b.backend().isEmpty() ? Backends.defaultBackend() : Backends.get(b.backend());
    }

    private static Classifier rebuild(BackboneBroadcast b) {
        REBUILDS.incrementAndGet();
        Backend backend = backend(b);
        Classifier model;
        try {
            model = dev.fineturn.models.bundle.ModelBundle.rebuild(b.recipeJson(), backend);
        } catch (IOException e) {
            throw new UncheckedIOException("rebuilding the model on an executor: " + e.getMessage(), e);
        }
        Map<String, Tensor> state = new LinkedHashMap<>();
        for (NamedTensor t : BackboneBroadcast.readSafetensors(b.weights())) {
            state.put(t.name(), t.toTensor(backend));
        }
        Layer.LoadResult r = model.loadStateDict(state, true);
        if (!r.isComplete()) {
            throw new IllegalStateException("broadcast weights do not fit the rebuilt model: " + r);
        }
        model.eval();
        return model;
    }
}
