package dev.fineturn.train.linear;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Mean softmax cross-entropy over the selected rows plus (lambda / 2) ||W||^2 with lambda = 1 / (C n),
 * which is scikit-learn's C * sum(cross-entropy) + ||W||^2 / 2 divided by C n. Parameters are laid out
 * [W as classes x features row-major, then b].
 *
 * <p>Rows are split into chunks fixed by the row count alone; each chunk sums into its own buffer and the
 * buffers are added in chunk order, so the result does not depend on the number of threads.
 */
final class SoftmaxLoss implements Objective, AutoCloseable {
    private static final int MIN_CHUNK = 256;
    private static final int MAX_CHUNKS = 64;

    private final float[] x;
    private final int d;
    private final int[] labels;
    private final int[] rows;
    private final int k;
    private final double lambda;
    private final int chunk;
    private final double[][] partialGradient;
    private final double[] partialLoss;
    private final ExecutorService pool;
    private final int threads;

    /** {@code rows}: the rows to use, or null for all. */
    SoftmaxLoss(float[] x, int d, int[] labels, int[] rows, int k, double c, int threads) {
        this.x = x;
        this.d = d;
        this.labels = labels;
        this.rows = rows;
        this.k = k;
        int n = count();
        this.lambda = 1 / (c * n);
        this.chunk = Math.max(MIN_CHUNK, (n + MAX_CHUNKS - 1) / MAX_CHUNKS);
        int chunks = (n + chunk - 1) / chunk;
        this.partialGradient = new double[chunks][parameterCount()];
        this.partialLoss = new double[chunks];
        this.threads = Math.max(1, Math.min(threads, chunks));
        this.pool = this.threads > 1 ? Executors.newFixedThreadPool(this.threads, r -> {
            Thread t = new Thread(r, "softmax-loss");
            t.setDaemon(true);
            return t;
        }) : null;
    }

    int count() {
        return rows == null ? labels.length : rows.length;
    }

    int parameterCount() {
        return k * d + k;
    }

    @Override
    public double valueAndGradient(double[] p, double[] g) {
        int chunks = partialLoss.length;
        if (pool == null) {
            for (int c = 0; c < chunks; c++) {
                partialLoss[c] = chunk(p, c);
            }
        } else {
            runParallel(p, chunks);
        }
        Arrays.fill(g, 0);
        double loss = 0;
        for (int c = 0; c < chunks; c++) {
            loss += partialLoss[c];
            double[] pg = partialGradient[c];
            for (int i = 0; i < g.length; i++) {
                g[i] += pg[i];
            }
        }
        double inv = 1.0 / count();
        double squares = 0;
        int kd = k * d;
        for (int i = 0; i < kd; i++) {
            squares += p[i] * p[i];
            g[i] = g[i] * inv + lambda * p[i];
        }
        for (int i = kd; i < g.length; i++) {
            g[i] *= inv;
        }
        return loss * inv + 0.5 * lambda * squares;
    }

    private void runParallel(double[] p, int chunks) {
        AtomicInteger next = new AtomicInteger();
        Callable<Void> worker = () -> {
            for (int c = next.getAndIncrement(); c < chunks; c = next.getAndIncrement()) {
                partialLoss[c] = chunk(p, c);
            }
            return null;
        };
        List<Future<Void>> futures = new ArrayList<>(threads);
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(worker));
        }
        try {
            for (Future<Void> f : futures) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("softmax loss: interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("softmax loss: a worker failed", e.getCause());
        }
    }

    /** Sum of cross-entropies over chunk c, its gradient into the chunk's own buffer. */
    private double chunk(double[] p, int c) {
        double[] gp = partialGradient[c];
        Arrays.fill(gp, 0);
        double[] z = new double[k];
        int kd = k * d;
        int end = Math.min(count(), (c + 1) * chunk);
        double loss = 0;
        for (int r = c * chunk; r < end; r++) {
            int row = rows == null ? r : rows[r];
            int off = row * d;
            int y = labels[row];
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) {
                z[j] = p[kd + j] + dot(p, j * d, x, off, d);
                max = Math.max(max, z[j]);
            }
            double zy = z[y];
            double sum = 0;
            for (int j = 0; j < k; j++) {
                z[j] = Math.exp(z[j] - max);
                sum += z[j];
            }
            loss += Math.log(sum) + max - zy;
            double inv = 1 / sum;
            for (int j = 0; j < k; j++) {
                double residual = z[j] * inv - (j == y ? 1 : 0);
                gp[kd + j] += residual;
                axpy(residual, x, off, gp, j * d, d);
            }
        }
        return loss;
    }

    static double dot(double[] w, int wo, float[] x, int xo, int n) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            s0 += w[wo + i] * x[xo + i];
            s1 += w[wo + i + 1] * x[xo + i + 1];
            s2 += w[wo + i + 2] * x[xo + i + 2];
            s3 += w[wo + i + 3] * x[xo + i + 3];
        }
        for (; i < n; i++) {
            s0 += w[wo + i] * x[xo + i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    private static void axpy(double a, float[] x, int xo, double[] y, int yo, int n) {
        for (int i = 0; i < n; i++) {
            y[yo + i] += a * x[xo + i];
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
