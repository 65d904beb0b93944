package dev.fineturn.bench;

import dev.fineturn.models.arch.ResNet;
import dev.fineturn.ops.Losses;
import dev.fineturn.optim.ParamGroup;
import dev.fineturn.optim.Sgd;
import dev.fineturn.spi.Backend;
import dev.fineturn.tensor.GradMode;
import dev.fineturn.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * One ResNet-18 (10 classes) training step, by default at 64x64 with batch 32 (parameters {@code size}
 * and {@code batch}), SGD with momentum 0.9, as the PyTorch peer measures it: head-only (only fc
 * trains), partial (conv1, bn1, layer1, layer2 frozen), full, and inference (eval mode, no graph).
 * img/s = batch / time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 4, time = 5)
@Fork(value = 2, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-Xmx6g"})
public class ResNetStepBenchmark {
    public static final int BATCH = 32;
    /** One step trains (or, in inference mode, classifies) {@code batch} images. */
    public static final Throughput THROUGHPUT =
            Throughput.images(p -> Double.parseDouble(p.getOrDefault("batch", String.valueOf(BATCH))));

    @Param({"cpu"})
    public String backend;

    @Param({"head", "partial", "full", "inference"})
    public String mode;

    @Param({"2"})
    public int threads;

    /** Images per step; {@link #BATCH} unless overridden (the GPU run uses 64). */
    @Param({"32"})
    public int batch;

    /** Image edge in pixels (the GPU run uses 224). */
    @Param({"64"})
    public int size;

    private ResNet model;
    private Sgd sgd;
    private Tensor x;
    private Tensor labels;

    @Setup
    public void setup() {
        Backend b = BenchBackends.get(backend, threads);
        dev.fineturn.nn.Init.seed(1);
        model = ResNet.resnet18(10);
        model.to(b);
        switch (mode) {
            case "head" -> {
                model.freeze();
                model.head().unfreeze();
            }
            case "partial" -> model.freezeFirst(6);
            default -> model.unfreeze();
        }
        model.train(!mode.equals("inference"));
        sgd = new Sgd(java.util.List.of(new ParamGroup("all", model.trainableParameters(), 1e-3, 0)), 0.9, 0, false);
        x = Tensor.randn(b, 3, batch, 3, size, size);
        float[] l = new float[batch];
        for (int i = 0; i < batch; i++) {
            l[i] = i % 10;
        }
        labels = Tensor.of(b, l, batch);
    }

    @Benchmark
    public Object step() {
        if (mode.equals("inference")) {
            try (var g = GradMode.noGrad()) {
                Tensor y = model.forward(x);
                y.backend().synchronize();
                return y;
            }
        }
        Tensor loss = Losses.crossEntropy(model.forward(x), labels, 0f);
        loss.backward();
        sgd.step();
        sgd.zeroGrad();
        loss.backend().synchronize();
        return loss;
    }

    ResNet model() {
        return model;
    }

    Sgd optimizer() {
        return sgd;
    }

    Tensor input() {
        return x;
    }

    Tensor labels() {
        return labels;
    }
}
