package dev.fineturn.cpu;

import dev.fineturn.spi.AdamWParams;
import dev.fineturn.spi.SgdParams;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * SGD and AdamW updates. Each lane performs the reference's float operations in the same order
 * (no fused multiply-adds), so parameters and optimiser state are bit-identical to it.
 */
final class VectorOptimizers {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int CHUNK = 1 << 15;

    private VectorOptimizers() {
    }

    static void sgd(SgdParams p, float[] param, float[] grad, float[] buf, int n) {
        float[] momentum = buf == null && p.momentum() != 0f ? new float[n] : buf;
        CpuPool.parallelFor((n + CHUNK - 1) / CHUNK, ch -> {
            int from = ch * CHUNK;
            int to = Math.min(n, from + CHUNK);
            if (p.momentum() == 0f) {
                sgdPlain(p, param, grad, from, to);
            } else {
                sgdMomentum(p, param, grad, momentum, from, to);
            }
        });
    }

    private static void sgdPlain(SgdParams p, float[] param, float[] grad, int from, int to) {
        float lr = p.lr();
        float wd = p.weightDecay();
        int i = from;
        for (int bound = from + S.loopBound(to - from); i < bound; i += L) {
            FloatVector w = FloatVector.fromArray(S, param, i);
            FloatVector g = FloatVector.fromArray(S, grad, i).add(w.mul(wd));
            w.sub(g.mul(lr)).intoArray(param, i);
        }
        for (; i < to; i++) {
            float g = grad[i] + wd * param[i];
            param[i] -= lr * g;
        }
    }

    private static void sgdMomentum(SgdParams p, float[] param, float[] grad, float[] buf, int from, int to) {
        float lr = p.lr();
        float wd = p.weightDecay();
        float mu = p.momentum();
        float keep = 1f - p.dampening();
        boolean first = p.firstStep();
        boolean nesterov = p.nesterov();
        // Uniform masks instead of conditional expressions: a vector-valued branch merge may box.
        VectorMask<Float> firstStep = VectorMask.fromLong(S, first ? -1L : 0L);
        VectorMask<Float> lookAhead = VectorMask.fromLong(S, nesterov ? -1L : 0L);
        int i = from;
        for (int bound = from + S.loopBound(to - from); i < bound; i += L) {
            FloatVector w = FloatVector.fromArray(S, param, i);
            FloatVector g = FloatVector.fromArray(S, grad, i).add(w.mul(wd));
            FloatVector b = FloatVector.fromArray(S, buf, i).mul(mu).add(g.mul(keep)).blend(g, firstStep);
            b.intoArray(buf, i);
            FloatVector step = b.blend(g.add(b.mul(mu)), lookAhead);
            w.sub(step.mul(lr)).intoArray(param, i);
        }
        for (; i < to; i++) {
            float g = grad[i] + wd * param[i];
            float b = first ? g : mu * buf[i] + keep * g;
            buf[i] = b;
            g = nesterov ? g + mu * b : b;
            param[i] -= lr * g;
        }
    }

    static void adamw(AdamWParams p, float[] param, float[] grad, float[] m, float[] v, int n) {
        CpuPool.parallelFor((n + CHUNK - 1) / CHUNK, ch -> {
            int from = ch * CHUNK;
            adamwRange(p, param, grad, m, v, from, Math.min(n, from + CHUNK));
        });
    }

    private static void adamwRange(AdamWParams p, float[] param, float[] grad, float[] m, float[] v, int from,
                                   int to) {
        float lr = p.lr();
        float decay = 1f - p.lr() * p.weightDecay();
        float b1 = p.beta1();
        float b2 = p.beta2();
        float c1 = 1f - p.beta1();
        float c2 = 1f - p.beta2();
        float bc1 = p.biasCorrection1();
        float bc2 = p.biasCorrection2();
        float eps = p.eps();
        int i = from;
        for (int bound = from + S.loopBound(to - from); i < bound; i += L) {
            FloatVector g = FloatVector.fromArray(S, grad, i);
            FloatVector w = FloatVector.fromArray(S, param, i).mul(decay);
            FloatVector mi = FloatVector.fromArray(S, m, i).mul(b1).add(g.mul(c1));
            FloatVector vi = FloatVector.fromArray(S, v, i).mul(b2).add(g.mul(c2).mul(g));
            mi.intoArray(m, i);
            vi.intoArray(v, i);
            FloatVector mHat = mi.div(bc1);
            FloatVector vHat = vi.div(bc2);
            w.sub(mHat.mul(lr).div(vHat.sqrt().add(eps))).intoArray(param, i);
        }
        for (; i < to; i++) {
            float g = grad[i];
            param[i] *= decay;
            m[i] = b1 * m[i] + c1 * g;
            v[i] = b2 * v[i] + c2 * g * g;
            float mHat = m[i] / bc1;
            float vHat = v[i] / bc2;
            param[i] -= lr * mHat / ((float) Math.sqrt(vHat) + eps);
        }
    }
}
