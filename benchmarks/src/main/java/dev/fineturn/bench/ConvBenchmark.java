package dev.fineturn.bench;

import dev.fineturn.spi.Backend;
import dev.fineturn.spi.ConvGeometry;
import dev.fineturn.spi.Storage;
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
 * Convolution layers: a ResNet 3x3 layer (N=32, C=K=64, 56x56), a CIFAR-size layer (N=64, C=K=64,
 * 32x32) and a MobileNet depthwise 3x3 layer (N=32, C=144, 56x56), forward alone or forward plus
 * both backward passes (3x the forward flops), as PyTorch's peers measure them. A layer may also be given as
 * "N,C,K,H,kernel,stride,pad" (a square convolution), as {@code paired.py} does to compare ResNet-18's layers
 * one by one.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 2, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class ConvBenchmark {
    public static final Throughput THROUGHPUT = Throughput.gflops(p -> flops(p.get("layer"), p.get("pass")));

    @Param({"cpu"})
    public String backend;

    @Param({"resnet", "cifar", "depthwise"})
    public String layer;

    @Param({"forward", "forward+backward"})
    public String pass;

    @Param({"2"})
    public int threads;

    private Backend b;
    private ConvGeometry g;
    private Storage x;
    private Storage w;
    private Storage y;
    private Storage dx;
    private Storage dw;

    public static ConvGeometry geometry(String layer) {
        return switch (layer) {
            case "resnet" -> new ConvGeometry(32, 64, 56, 56, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
            case "cifar" -> new ConvGeometry(64, 64, 32, 32, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
            case "depthwise" -> new ConvGeometry(32, 144, 56, 56, 144, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 144);
            default -> custom(layer);
        };
    }

    /** "N,C,K,H,kernel,stride,pad": a square convolution of batch N, C -> K channels, on an H x H input. */
    private static ConvGeometry custom(String layer) {
        String[] v = layer.split(",");
        if (v.length != 7) {
            throw new IllegalArgumentException("unknown conv layer '" + layer
                    + "' (resnet, cifar, depthwise or N,C,K,H,kernel,stride,pad)");
        }
        int[] n = java.util.Arrays.stream(v).mapToInt(Integer::parseInt).toArray();
        return new ConvGeometry(n[0], n[1], n[3], n[3], n[2], n[4], n[4], n[5], n[5], n[6], n[6], n[6], n[6], 1, 1,
                1);
    }

    /** Flops of one measured call. */
    public static double flops(String layer, String pass) {
        return geometry(layer).forwardFlops() * (pass.equals("forward") ? 1 : 3);
    }

    @Setup
    public void setup() {
        b = BenchBackends.get(backend, threads);
        g = geometry(layer);
        x = Tensor.randn(b, 1, g.batch(), g.inChannels(), g.inH(), g.inW()).storage();
        w = Tensor.randn(b, 2, g.outChannels(), g.inChannelsPerGroup(), g.kernelH(), g.kernelW()).storage();
        y = b.allocate((long) g.batch() * g.outChannels() * g.outH() * g.outW());
        dx = b.allocate((long) g.batch() * g.inChannels() * g.inH() * g.inW());
        dw = b.allocate((long) g.outChannels() * g.inChannelsPerGroup() * g.kernelH() * g.kernelW());
    }

    @Benchmark
    public Storage conv() {
        b.conv2dForward(g, x, w, y);
        if (!pass.equals("forward")) {
            b.conv2dBackwardData(g, y, w, dx);
            b.conv2dBackwardWeights(g, x, y, dw);
        }
        b.synchronize();
        return y;
    }
}
