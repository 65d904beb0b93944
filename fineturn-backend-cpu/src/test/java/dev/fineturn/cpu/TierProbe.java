package dev.fineturn.cpu;

import dev.fineturn.spi.ConvGeometry;
import dev.fineturn.spi.Storage;
import dev.fineturn.spi.UnaryOp;
import jdk.incubator.vector.FloatVector;

import java.util.ArrayList;
import java.util.List;

import static dev.fineturn.cpu.KernelFixtures.CPU;
import static dev.fineturn.cpu.KernelFixtures.read;
import static dev.fineturn.cpu.KernelFixtures.signed;
import static dev.fineturn.cpu.KernelFixtures.uniform;
import static dev.fineturn.cpu.KernelFixtures.upload;

/**
 * The kernels whose results could depend on whether the JIT has compiled them (lane sums, exp, log,
 * tanh), run on small fixed inputs on one thread: one line per result with a hash of its bits. Run as a
 * main under {@code -Xint}, it gives the interpreter's bits.
 */
final class TierProbe {
    private TierProbe() {
    }

    /** Prints {@link #results()}; with an argument N, from the last of N runs (for a JIT to compile them). */
    public static void main(String[] args) {
        CpuPool.setThreads(1);
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        List<String> last = List.of();
        for (int r = 0; r < runs; r++) {
            last = results();
        }
        last.forEach(System.out::println);
    }

    static List<String> results() {
        List<String> out = new ArrayList<>();
        float[] wide = signed(67, 1);
        for (int i = 0; i < wide.length; i++) {
            wide[i] *= 40f;
        }
        out.add(line("VectorMath.exp", map(wide, 0)));
        out.add(line("VectorMath.log", map(uniform(67, 2, 1e-6f, 50f), 1)));
        out.add(line("VectorMath.tanh", map(signed(67, 3), 2)));
        float[] x = signed(101, 4);
        float[] y = signed(101, 5);
        out.add(line("VectorSums", new float[] {(float) VectorSums.sum(x, 0, 101), (float) VectorSums.dot(x, 0, y, 0, 101),
                (float) VectorSums.sumSquaredDeviations(x, 0, 101, 0.1f),
                (float) VectorSums.sumWeightedDeviations(y, x, 0, 101, 0.1f), (float) VectorSums.sumDeviations(x, 0, 101, 0.2f)}));
        for (UnaryOp op : new UnaryOp[] {UnaryOp.SIGMOID, UnaryOp.TANH, UnaryOp.EXP, UnaryOp.LOG}) {
            float[] in = op == UnaryOp.LOG ? uniform(45, 6, 0.01f, 9f) : signed(45, 6);
            Storage s = CPU.allocate(45);
            CPU.unary(op, 0f, 0f, upload(in), s, 45);
            out.add(line("unary " + op, read(s)));
        }
        for (boolean log : new boolean[] {false, true}) {
            Storage s = CPU.allocate(3 * 37);
            CPU.softmax(3, 37, log, upload(signed(3 * 37, 7)), s);
            out.add(line("softmax log=" + log, read(s)));
        }
        Storage probs = CPU.allocate(4 * 10);
        Storage loss = CPU.allocate(4);
        CPU.crossEntropyForward(4, 10, 0.1f, upload(signed(40, 8)), upload(new float[] {1, 0, 9, 4}), probs, loss);
        out.add(line("crossEntropy", concat(read(probs), read(loss))));
        int n = 2, c = 3, hw = 20;
        float[] bx = signed(n * c * hw, 9);
        Storage mean = CPU.allocate(c);
        Storage var = CPU.allocate(c);
        CPU.batchNormStatistics(n, c, hw, upload(bx), mean, var);
        Storage dx = CPU.allocate(n * c * hw);
        Storage dg = CPU.allocate(c);
        Storage db = CPU.allocate(c);
        CPU.batchNormBackward(n, c, hw, 1e-5f, true, upload(bx), upload(signed(n * c * hw, 10)), mean, var,
                upload(uniform(c, 11, 0.5f, 1.5f)), dx, dg, db);
        out.add(line("batchNorm", concat(read(mean), read(var), read(dx), read(dg), read(db))));
        out.add(line("depthwise 3x3 dW", weightGradient(new ConvGeometry(2, 4, 10, 10, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 4))));
        out.add(line("depthwise 5x5 dW", weightGradient(new ConvGeometry(2, 4, 12, 12, 4, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1, 4))));
        out.add(line("conv 3x3 dW", weightGradient(new ConvGeometry(2, 3, 8, 8, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1))));
        return out;
    }

    private static float[] weightGradient(ConvGeometry g) {
        int outHw = g.outH() * g.outW();
        Storage dw = CPU.allocate((long) g.outChannels() * g.inChannelsPerGroup() * g.kernelH() * g.kernelW());
        CPU.conv2dBackwardWeights(g, upload(signed(g.batch() * g.inChannels() * g.inH() * g.inW(), 12)),
                upload(signed(g.batch() * g.outChannels() * outHw, 13)), dw);
        return read(dw);
    }

    private static float[] map(float[] x, int f) {
        float[] y = new float[x.length];
        int i = 0;
        for (; i <= x.length - VectorMath.S.length(); i += VectorMath.S.length()) {
            FloatVector v = FloatVector.fromArray(VectorMath.S, x, i);
            (f == 0 ? VectorMath.exp(v) : f == 1 ? VectorMath.log(v) : VectorMath.tanh(v)).intoArray(y, i);
        }
        return y;
    }

    private static float[] concat(float[]... parts) {
        int n = 0;
        for (float[] p : parts) {
            n += p.length;
        }
        float[] all = new float[n];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    private static String line(String what, float[] values) {
        long h = 1125899906842597L;
        for (float v : values) {
            h = 31 * h + Float.floatToRawIntBits(v);
        }
        return what + " " + Long.toHexString(h);
    }
}
