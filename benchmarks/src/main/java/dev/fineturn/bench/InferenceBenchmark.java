package dev.fineturn.bench;

import dev.fineturn.nn.Classifier;
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
 * One batch through a model in eval mode without a graph, the path {@code fineturn predict} takes (convolutions
 * fused with their batch norm and activation): {@code inference} runs the whole network to the logits,
 * {@code features} the backbone to the pooled feature vectors, what feature extraction and the feature cache run.
 * ResNet-18 or MobileNetV2 (10 classes), 64x64 and batch 32 unless {@code -p size=} / {@code -p batch=} say
 * otherwise. img/s = batch / time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 4, time = 5)
@Fork(value = 2, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-Xmx6g"})
public class InferenceBenchmark {
    /** One call classifies (or extracts the features of) {@code batch} images. */
    public static final Throughput THROUGHPUT =
            Throughput.images(p -> Double.parseDouble(p.getOrDefault("batch", "32")));

    @Param({"cpu"})
    public String backend;

    @Param({"resnet18", "mobilenet_v2"})
    public String model;

    @Param({"inference", "features"})
    public String pass;

    @Param({"2"})
    public int threads;

    @Param({"32"})
    public int batch;

    @Param({"64"})
    public int size;

    private Classifier net;
    private Tensor x;

    @Setup
    public void setup() {
        if (!pass.equals("inference") && !pass.equals("features")) {
            throw new IllegalArgumentException("unknown pass '" + pass + "'; known: inference, features");
        }
        Backend b = BenchBackends.get(backend, threads);
        net = InferenceModels.create(model, b);
        x = Tensor.randn(b, 3, batch, 3, size, size);
    }

    @Benchmark
    public Object run() {
        try (var g = GradMode.noGrad()) {
            Tensor y = pass.equals("features") ? net.features(x) : net.forward(x);
            y.backend().synchronize();
            return y;
        }
    }

    Classifier network() {
        return net;
    }

    Tensor input() {
        return x;
    }
}
