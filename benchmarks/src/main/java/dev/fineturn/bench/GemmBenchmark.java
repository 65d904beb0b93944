package dev.fineturn.bench;

import dev.fineturn.backend.Backends;
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

import java.util.concurrent.TimeUnit;

/** Square SGEMM on each backend; GFLOP/s = 2 n^3 / time. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class GemmBenchmark {
    @Param({"cpu", "opencl", "reference"})
    public String backend;

    @Param({"128", "256", "512", "1024"})
    public int n;

    private Backend b;
    private Storage a;
    private Storage bm;
    private Storage c;
    private GemmSpec spec;

    @Setup
    public void setup() {
        if (backend.equals("reference") && n > 256) {
            throw new IllegalStateException("reference GEMM is only measured up to n=256 (it is the oracle, not a contender)");
        }
        b = Backends.get(backend);
        a = Tensor.randn(b, 1, n, n).storage();
        bm = Tensor.randn(b, 2, n, n).storage();
        c = b.allocate((long) n * n);
        spec = GemmSpec.of(n, n, n, false, false);
    }

    @Benchmark
    public Storage gemm() {
        b.gemm(spec, 1f, a, 0, bm, 0, 0f, c, 0);
        b.synchronize();
        return c;
    }
}
