package dev.fineturn.spark;

import dev.fineturn.io.NamedTensor;
import dev.fineturn.nn.Classifier;
import dev.fineturn.ops.Losses;
import dev.fineturn.optim.GradClip;
import dev.fineturn.optim.Optimizer;
import dev.fineturn.spi.Backend;
import dev.fineturn.tensor.Tensor;
import dev.fineturn.train.TrainConfig;
import dev.fineturn.train.TransferSetup;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One rank's model and optimiser: a step computes the local gradient, hands the flat gradient to a
 * reducer (the ring; nothing with one rank), averages it, clips it and takes the optimiser step.
 * The optimiser is the local trainer's ({@code TransferSetup}): a parameter group per trainable
 * block at its layer-wise rate, the head at the full rate. Pretrained batch norm stays in inference
 * mode, so a step depends only on the reduced gradient.
 */
public final class Replica {
    /** Sums a flat gradient over the ranks in place. */
    public interface Reducer {
        void sum(float[] v) throws IOException;
    }

    private final Classifier model;
    private final Optimizer optimizer;
    private final Backend backend;
    private final List<Tensor> params;
    private final float labelSmoothing;
    private final double clipNorm;

    public Replica(Classifier model, FineTuneConfig cfg) {
        this.model = model;
        if (cfg.frozen() > 0) {
            model.freezeFirst(cfg.frozen());
        }
        model.eval();
        this.params = model.trainableParameters();
        this.backend = params.getFirst().backend();
        TrainConfig settings = cfg.optimizerSettings();
        this.optimizer = TransferSetup.optimizer(TransferSetup.groups(model, settings), settings);
        this.labelSmoothing = (float) cfg.labelSmoothing();
        this.clipNorm = cfg.clipNorm();
    }

    public Classifier model() {
        return model;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    /** Gradient length: every trainable parameter's values. */
    public int gradientSize() {
        long n = 0;
        for (Tensor p : params) {
            n += p.numel();
        }
        return Math.toIntExact(n);
    }

    /**
     * One step on {@code images} (NCHW) with {@code labels}; the gradient is summed by {@code reducer},
     * divided by {@code ranks} and clipped.
     */
    public double step(Tensor images, Tensor labels, Reducer reducer, int ranks) throws IOException {
        optimizer.zeroGrad();
        Tensor loss = Losses.crossEntropy(model.forward(images), labels, labelSmoothing);
        double value = loss.item();
        loss.backward();
        float[] flat = new float[gradientSize()];
        int off = 0;
        for (Tensor p : params) {
            int len = (int) p.numel();
            if (p.grad() != null) {
                System.arraycopy(p.grad().toArray(), 0, flat, off, len);
            }
            off += len;
        }
        reducer.sum(flat);
        if (ranks > 1) {
            for (int i = 0; i < flat.length; i++) {
                flat[i] /= ranks;
            }
        }
        off = 0;
        for (Tensor p : params) {
            int len = (int) p.numel();
            float[] g = new float[len];
            System.arraycopy(flat, off, g, 0, len);
            p.setGrad(Tensor.of(backend, g, p.shape()));
            off += len;
        }
        if (clipNorm > 0) {
            GradClip.clipNorm(optimizer.parameters(), clipNorm);
        }
        optimizer.step();
        return value;
    }

    /**
     * Parameter averaging: replaces the trainable weights and the optimiser's state tensors (SGD's
     * momentum buffers) by their mean over the ranks, summed by {@code reducer}. The step count is
     * the same on every rank and stays.
     */
    public void average(Reducer reducer, int ranks) throws IOException {
        float[] flat = parametersAndState();
        reducer.sum(flat);
        for (int i = 0; i < flat.length; i++) {
            flat[i] /= ranks;
        }
        setParametersAndState(flat);
    }

    /** The trainable weights, then the optimiser's state tensors in their order, as one vector. */
    public float[] parametersAndState() {
        List<Tensor> all = new java.util.ArrayList<>(params);
        all.addAll(optimizer.stateTensors().values());
        long n = 0;
        for (Tensor t : all) {
            n += t.numel();
        }
        float[] flat = new float[Math.toIntExact(n)];
        int off = 0;
        for (Tensor t : all) {
            float[] v = t.toArray();
            System.arraycopy(v, 0, flat, off, v.length);
            off += v.length;
        }
        return flat;
    }

    /** The inverse of {@link #parametersAndState}. */
    public void setParametersAndState(float[] flat) {
        int off = 0;
        try (var g = dev.fineturn.tensor.GradMode.noGrad()) {
            for (Tensor p : params) {
                int len = (int) p.numel();
                p.copyFrom(Tensor.of(backend, java.util.Arrays.copyOfRange(flat, off, off + len), p.shape()));
                off += len;
            }
        }
        Map<String, Tensor> state = new LinkedHashMap<>();
        for (var e : optimizer.stateTensors().entrySet()) {
            int len = (int) e.getValue().numel();
            state.put(e.getKey(), Tensor.of(backend, java.util.Arrays.copyOfRange(flat, off, off + len),
                    e.getValue().shape()));
            off += len;
        }
        if (off != flat.length) {
            throw new IllegalArgumentException("parameter averaging: " + flat.length + " values for " + off
                    + " weights and optimiser state");
        }
        optimizer.restoreStateTensors(state, optimizer.steps());
    }

    /** The optimiser's state as safetensors bytes. */
    public byte[] optimizerState() {
        return BackboneBroadcast.safetensorsBytes(optimizer.stateTensors());
    }

    /** Restores the optimiser's state from {@link #optimizerState} bytes. */
    public void restoreOptimizer(byte[] state, long steps) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        if (state != null) {
            for (NamedTensor t : BackboneBroadcast.readSafetensors(state)) {
                m.put(t.name(), t.toTensor(backend));
            }
        }
        optimizer.restoreStateTensors(m, steps);
    }
}
