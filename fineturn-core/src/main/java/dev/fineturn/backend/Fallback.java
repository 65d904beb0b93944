package dev.fineturn.backend;

import dev.fineturn.reference.ConvKernels;
import dev.fineturn.reference.ElementwiseKernels;
import dev.fineturn.reference.GemmKernels;
import dev.fineturn.reference.NormKernels;
import dev.fineturn.reference.OptimizerKernels;
import dev.fineturn.reference.PoolKernels;
import dev.fineturn.reference.SoftmaxKernels;
import dev.fineturn.spi.AdamWParams;
import dev.fineturn.spi.Backend;
import dev.fineturn.spi.BinaryOp;
import dev.fineturn.spi.ConvGeometry;
import dev.fineturn.spi.GemmSpec;
import dev.fineturn.spi.HostStorage;
import dev.fineturn.spi.PoolGeometry;
import dev.fineturn.spi.SgdParams;
import dev.fineturn.spi.Storage;
import dev.fineturn.spi.UnaryOp;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs a reference kernel for a backend that lacks its own: inputs are read to the host, outputs
 * written back. Host storages are used in place. Warns once per backend and kernel.
 *
 * <p>The default kernel methods of {@link Backend} call these; a backend never needs to. They sit
 * outside {@code dev.fineturn.spi} so that the SPI names no implementation of its own.
 */
public final class Fallback {
    private static final System.Logger LOG = System.getLogger("dev.fineturn.backend");
    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();
    private static final java.util.concurrent.atomic.AtomicLong WARNINGS = new java.util.concurrent.atomic.AtomicLong();

    private Fallback() {
    }

    /** Names of the (backend/kernel) pairs that fell back so far; for tests and diagnostics. */
    static Set<String> warned() {
        return Set.copyOf(WARNED);
    }

    static long warnings() {
        return WARNINGS.get();
    }

    private static void warn(Backend b, String kernel) {
        if (WARNED.add(b.name() + "/" + kernel)) {
            WARNINGS.incrementAndGet();
            LOG.log(System.Logger.Level.WARNING, "backend ''{0}'' has no {1} kernel; running the reference kernel "
                    + "on host copies (correct but slow)", b.name(), kernel);
        }
    }

    private static float[] host(Backend b, Storage s) {
        if (s instanceof HostStorage h) {
            return h.data();
        }
        if (s.length() > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException(b.name() + ": storage of " + s.length()
                    + " floats is too large for the reference fallback");
        }
        float[] a = new float[(int) s.length()];
        b.read(s, 0, a, 0, a.length);
        return a;
    }

    private static void back(Backend b, float[] a, Storage s) {
        if (!(s instanceof HostStorage)) {
            b.write(a, 0, s, 0, a.length);
        }
    }

    public static void fill(Backend b, Storage dst, long offset, long length, float value) {
        warn(b, "fill");
        float[] d = host(b, dst);
        ElementwiseKernels.fill(d, (int) offset, (int) length, value);
        back(b, d, dst);
    }

    public static void copyStrided(Backend b, int[] shape, Storage src, long srcOffset, int[] srcStrides,
                            Storage dst, long dstOffset, int[] dstStrides) {
        warn(b, "copyStrided");
        float[] d = host(b, dst);
        ElementwiseKernels.copyStrided(shape, host(b, src), (int) srcOffset, srcStrides, d, (int) dstOffset, dstStrides);
        back(b, d, dst);
    }

    public static void unary(Backend b, UnaryOp op, float alpha, float beta, Storage x, Storage y, long n) {
        warn(b, "unary");
        float[] out = host(b, y);
        ElementwiseKernels.unary(op, alpha, beta, host(b, x), out, (int) n);
        back(b, out, y);
    }

    public static void unaryBackward(Backend b, UnaryOp op, float alpha, float beta, Storage x, Storage y, Storage dy,
                              Storage dx, long n) {
        warn(b, "unaryBackward");
        float[] out = host(b, dx);
        ElementwiseKernels.unaryBackward(op, alpha, beta, host(b, x), host(b, y), host(b, dy), out, (int) n);
        back(b, out, dx);
    }

    public static void binary(Backend b, BinaryOp op, int[] shape, Storage a, long aOffset, int[] aStrides,
                       Storage bb, long bOffset, int[] bStrides, Storage out) {
        warn(b, "binary");
        float[] o = host(b, out);
        ElementwiseKernels.binary(op, shape, host(b, a), (int) aOffset, aStrides, host(b, bb), (int) bOffset,
                bStrides, o);
        back(b, o, out);
    }

    public static void sumReduce(Backend b, int[] inShape, Storage in, int[] outShape, Storage out) {
        warn(b, "sumReduce");
        float[] o = host(b, out);
        ElementwiseKernels.sumReduce(inShape, host(b, in), outShape, o);
        back(b, o, out);
    }

    public static void gemm(Backend b, GemmSpec spec, float alpha, Storage a, long aOffset, Storage bm, long bOffset,
                     float beta, Storage c, long cOffset) {
        warn(b, "gemm");
        float[] o = host(b, c);
        GemmKernels.gemm(spec, alpha, host(b, a), (int) aOffset, host(b, bm), (int) bOffset, beta, o, (int) cOffset);
        back(b, o, c);
    }

    public static void conv2dForward(Backend b, ConvGeometry g, Storage x, Storage w, Storage y) {
        warn(b, "conv2dForward");
        float[] o = host(b, y);
        ConvKernels.forward(g, host(b, x), host(b, w), o);
        back(b, o, y);
    }

    public static void conv2dBackwardData(Backend b, ConvGeometry g, Storage dy, Storage w, Storage dx) {
        warn(b, "conv2dBackwardData");
        float[] o = host(b, dx);
        ConvKernels.backwardData(g, host(b, dy), host(b, w), o);
        back(b, o, dx);
    }

    public static void conv2dBackwardWeights(Backend b, ConvGeometry g, Storage x, Storage dy, Storage dw) {
        warn(b, "conv2dBackwardWeights");
        float[] o = host(b, dw);
        ConvKernels.backwardWeights(g, host(b, x), host(b, dy), o);
        back(b, o, dw);
    }

    public static void maxPool2dForward(Backend b, PoolGeometry g, Storage x, Storage y) {
        warn(b, "maxPool2dForward");
        float[] o = host(b, y);
        PoolKernels.maxForward(g, host(b, x), o);
        back(b, o, y);
    }

    public static void maxPool2dBackward(Backend b, PoolGeometry g, Storage x, Storage dy, Storage dx) {
        warn(b, "maxPool2dBackward");
        float[] o = host(b, dx);
        PoolKernels.maxBackward(g, host(b, x), host(b, dy), o);
        back(b, o, dx);
    }

    public static void avgPool2dForward(Backend b, PoolGeometry g, Storage x, Storage y) {
        warn(b, "avgPool2dForward");
        float[] o = host(b, y);
        PoolKernels.avgForward(g, host(b, x), o);
        back(b, o, y);
    }

    public static void avgPool2dBackward(Backend b, PoolGeometry g, Storage dy, Storage dx) {
        warn(b, "avgPool2dBackward");
        float[] o = host(b, dx);
        PoolKernels.avgBackward(g, host(b, dy), o);
        back(b, o, dx);
    }

    public static void softmax(Backend b, int rows, int cols, boolean log, Storage x, Storage y) {
        warn(b, "softmax");
        float[] o = host(b, y);
        SoftmaxKernels.softmax(rows, cols, log, host(b, x), o);
        back(b, o, y);
    }

    public static void softmaxBackward(Backend b, int rows, int cols, boolean log, Storage y, Storage dy, Storage dx) {
        warn(b, "softmaxBackward");
        float[] o = host(b, dx);
        SoftmaxKernels.softmaxBackward(rows, cols, log, host(b, y), host(b, dy), o);
        back(b, o, dx);
    }

    public static void crossEntropyForward(Backend b, int rows, int cols, float smoothing, Storage logits, Storage labels,
                                    Storage probs, Storage rowLoss) {
        warn(b, "crossEntropyForward");
        float[] p = host(b, probs);
        float[] l = host(b, rowLoss);
        SoftmaxKernels.crossEntropyForward(rows, cols, smoothing, host(b, logits), host(b, labels), p, l);
        back(b, p, probs);
        back(b, l, rowLoss);
    }

    public static void crossEntropyBackward(Backend b, int rows, int cols, float smoothing, Storage probs, Storage labels,
                                     Storage dRowLoss, Storage dLogits) {
        warn(b, "crossEntropyBackward");
        float[] o = host(b, dLogits);
        SoftmaxKernels.crossEntropyBackward(rows, cols, smoothing, host(b, probs), host(b, labels),
                host(b, dRowLoss), o);
        back(b, o, dLogits);
    }

    public static void batchNormStatistics(Backend b, int n, int c, int hw, Storage x, Storage mean, Storage var) {
        warn(b, "batchNormStatistics");
        float[] m = host(b, mean);
        float[] v = host(b, var);
        NormKernels.statistics(n, c, hw, host(b, x), m, v);
        back(b, m, mean);
        back(b, v, var);
    }

    public static void batchNormForward(Backend b, int n, int c, int hw, float eps, Storage x, Storage mean, Storage var,
                                 Storage gamma, Storage beta, Storage y) {
        warn(b, "batchNormForward");
        float[] o = host(b, y);
        NormKernels.forward(n, c, hw, eps, host(b, x), host(b, mean), host(b, var), host(b, gamma), host(b, beta), o);
        back(b, o, y);
    }

    public static void batchNormBackward(Backend b, int n, int c, int hw, float eps, boolean batchStatistics, Storage x,
                                  Storage dy, Storage mean, Storage var, Storage gamma, Storage dx, Storage dgamma,
                                  Storage dbeta) {
        warn(b, "batchNormBackward");
        float[] ox = host(b, dx);
        float[] og = host(b, dgamma);
        float[] ob = host(b, dbeta);
        NormKernels.backward(n, c, hw, eps, batchStatistics, host(b, x), host(b, dy), host(b, mean), host(b, var),
                host(b, gamma), ox, og, ob);
        back(b, ox, dx);
        back(b, og, dgamma);
        back(b, ob, dbeta);
    }

    public static void dropoutMask(Backend b, long seed, float p, Storage mask, long n) {
        warn(b, "dropoutMask");
        float[] o = host(b, mask);
        ElementwiseKernels.dropoutMask(seed, p, o, (int) n);
        back(b, o, mask);
    }

    public static void sgdStep(Backend b, SgdParams p, Storage param, Storage grad, Storage buf, long n) {
        warn(b, "sgdStep");
        float[] w = host(b, param);
        float[] m = buf == null ? new float[(int) n] : host(b, buf);
        OptimizerKernels.sgd(p, w, host(b, grad), m, (int) n);
        back(b, w, param);
        if (buf != null) {
            back(b, m, buf);
        }
    }

    public static void adamwStep(Backend b, AdamWParams p, Storage param, Storage grad, Storage m, Storage v, long n) {
        warn(b, "adamwStep");
        float[] w = host(b, param);
        float[] mm = host(b, m);
        float[] vv = host(b, v);
        OptimizerKernels.adamw(p, w, host(b, grad), mm, vv, (int) n);
        back(b, w, param);
        back(b, mm, m);
        back(b, vv, v);
    }
}
