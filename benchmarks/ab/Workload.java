import dev.fineturn.backend.Backends;
import dev.fineturn.spi.Backend;
import dev.fineturn.spi.ConvGeometry;
import dev.fineturn.spi.GemmSpec;
import dev.fineturn.spi.Storage;

import java.util.Random;

/**
 * One call of a cpu kernel, built against whichever fineturn build loads this class: "gemm:N" (N x N
 * SGEMM), "fwd|bd|bw:C,K,H,k,s,p" (a square convolution of batch 32, padding p, in all three passes; "ffwd" is
 * the fused inference forward with a shift and ReLU), or
 * "step:head|partial|full|inference" (one ResNet-18 step at 64x64, batch 32, as ResNetStepBenchmark runs it), or
 * "infer:mobilenetv2" (MobileNetV2, 10 classes, eval mode without a graph, at 64x64, batch 32).
 */
public final class Workload {
    private Workload() {
    }

    public static Runnable of(String spec) {
        String[] parts = spec.split(":");
        if (parts[0].equals("step")) {
            return resnetStep(parts[1]);
        }
        if (parts[0].equals("infer")) {
            return inference(parts[1]);
        }
        Backend b = Backends.get("cpu");
        int[] v = java.util.Arrays.stream(parts[1].split(",")).mapToInt(Integer::parseInt).toArray();
        if (parts[0].equals("gemm")) {
            int n = v[0];
            Storage x = b.upload(random(n * n, 1));
            Storage y = b.upload(random(n * n, 2));
            Storage c = b.allocate((long) n * n);
            GemmSpec s = GemmSpec.of(n, n, n, false, false);
            return () -> b.gemm(s, 1f, x, 0, y, 0, 0f, c, 0);
        }
        int batch = 32;
        int ch = v[0], k = v[1], h = v[2], kernel = v[3], stride = v[4], pad = v[5];
        int out = (h + 2 * pad - kernel) / stride + 1;
        ConvGeometry g = new ConvGeometry(batch, ch, h, h, k, kernel, kernel, stride, stride, pad, pad, pad, pad,
                1, 1, 1);
        Storage x = b.upload(random(batch * ch * h * h, 3));
        Storage w = b.upload(random(k * ch * kernel * kernel, 4));
        Storage dy = b.upload(random(batch * k * out * out, 5));
        Storage y = b.allocate((long) batch * k * out * out);
        Storage dx = b.allocate((long) batch * ch * h * h);
        Storage dw = b.allocate((long) k * ch * kernel * kernel);
        return switch (parts[0]) {
            case "fwd" -> () -> b.conv2dForward(g, x, w, y);
            case "ffwd" -> {
                Storage bias = b.upload(random(k, 6));
                yield () -> b.conv2dForwardFused(g, x, w, bias, null, dev.fineturn.spi.ConvEpilogue.RELU, y);
            }
            case "bd" -> () -> b.conv2dBackwardData(g, dy, w, dx);
            case "bw" -> () -> b.conv2dBackwardWeights(g, x, dy, dw);
            default -> throw new IllegalArgumentException("unknown pass '" + parts[0] + "' in " + spec);
        };
    }

    private static float[] random(int n, long seed) {
        Random r = new Random(seed);
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = (float) r.nextGaussian();
        }
        return f;
    }

    /** The JMH benchmark's own step, so the workload is exactly what ResNetStepBenchmark times. */
    private static Runnable resnetStep(String mode) {
        dev.fineturn.bench.ResNetStepBenchmark step = new dev.fineturn.bench.ResNetStepBenchmark();
        step.backend = "cpu";
        step.mode = mode;
        step.threads = Runtime.getRuntime().availableProcessors();
        step.batch = 32;
        step.size = 64;
        step.setup();
        return step::step;
    }

    private static Runnable inference(String model) {
        if (!model.equals("mobilenetv2")) {
            throw new IllegalArgumentException("unknown model '" + model + "'; known: mobilenetv2");
        }
        Backend b = Backends.get("cpu");
        dev.fineturn.nn.Init.useBackend(b);
        dev.fineturn.nn.Init.seed(1);
        dev.fineturn.nn.Classifier net = dev.fineturn.models.arch.MobileNetV2.mobilenetV2(10);
        net.to(b);
        net.eval();
        dev.fineturn.tensor.Tensor x = dev.fineturn.tensor.Tensor.randn(b, 3, 32, 3, 64, 64);
        return () -> {
            try (var g = dev.fineturn.tensor.GradMode.noGrad()) {
                net.forward(x);
            }
        };
    }
}
