package dev.fineturn.bench;

import dev.fineturn.spi.Backend;
import dev.fineturn.spi.GemmSpec;
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

import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Square SGEMM C = A B; score is time per invocation: {@code queue} GEMMs then one synchronize, so
 * GFLOP/s = queue * 2 n^3 / time. With queue 1 a device backend pays its full launch-to-finish
 * latency on every GEMM; a larger queue measures GEMMs issued back to back, as a training step issues
 * its kernels.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class GemmBenchmark {
    /** {@code queue} GEMMs of 2 n^3 flops each per operation. */
    public static final Throughput THROUGHPUT = Throughput.gflops(GemmBenchmark::flops);

    @Param({"cpu"})
    public String backend;

    @Param({"128", "256", "512", "1024", "2048"})
    public int n;

    @Param({"2"})
    public int threads;

    @Param({"1"})
    public int queue;

    private Backend b;
    private Storage a;
    private Storage bm;
    private Storage c;
    private GemmSpec spec;

    static double flops(Map<String, String> params) {
        double n = Double.parseDouble(params.get("n"));
        return Double.parseDouble(params.getOrDefault("queue", "1")) * 2 * n * n * n;
    }

    @Setup
    public void setup() {
        b = BenchBackends.get(backend, threads);
        a = Tensor.randn(b, 1, n, n).storage();
        bm = Tensor.randn(b, 2, n, n).storage();
        c = b.allocate((long) n * n);
        spec = GemmSpec.of(n, n, n, false, false);
    }

    @Benchmark
    public Storage gemm() {
        for (int i = 0; i < queue; i++) {
            b.gemm(spec, 1f, a, 0, bm, 0, 0f, c, 0);
        }
        b.synchronize();
        return c;
    }
}
