package dev.fineturn.cpu;

import dev.fineturn.reference.ElementwiseKernels;
import dev.fineturn.reference.OptimizerKernels;
import dev.fineturn.spi.AdamWParams;
import dev.fineturn.spi.SgdParams;
import dev.fineturn.spi.Storage;
import org.junit.jupiter.api.Test;

import static dev.fineturn.cpu.KernelFixtures.CPU;
import static dev.fineturn.cpu.KernelFixtures.read;
import static dev.fineturn.cpu.KernelFixtures.signed;
import static dev.fineturn.cpu.KernelFixtures.uniform;
import static dev.fineturn.cpu.KernelFixtures.upload;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** Optimiser steps and dropout masks are bit-identical to the reference over many chunks. */
class CpuOptimizerAndDropoutKernelsTest {
    private static final int N = 100_003;

    @Test
    void sgdStepsAreBitIdentical() {
        float[] p = signed(N, 1);
        float[] g = signed(N, 2);
        float[] buf = signed(N, 3);
        SgdParams[] variants = {
                new SgdParams(0.1f, 0f, 0f, 0f, false, false),
                new SgdParams(0.1f, 0f, 0f, 1e-2f, false, true),
                new SgdParams(0.05f, 0.9f, 0.1f, 1e-2f, false, false),
                new SgdParams(0.05f, 0.9f, 0f, 1e-2f, true, false),
                new SgdParams(0.05f, 0.9f, 0f, 0f, false, true),
                new SgdParams(0.05f, 0.9f, 0f, 1e-4f, true, true)};
        for (SgdParams sp : variants) {
            float[] ep = p.clone();
            float[] eb = buf.clone();
            OptimizerKernels.sgd(sp, ep, g, eb, N);
            Storage ps = upload(p);
            Storage bs = upload(buf);
            CPU.sgdStep(sp, ps, upload(g), sp.momentum() == 0f ? null : bs, N);
            assertArrayEquals(ep, read(ps), "param " + sp);
            if (sp.momentum() != 0f) {
                assertArrayEquals(eb, read(bs), "momentum " + sp);
            }
        }
    }

    @Test
    void adamwStepsAreBitIdentical() {
        float[] p = signed(N, 4);
        float[] g = signed(N, 5);
        float[] m = signed(N, 6);
        float[] v = uniform(N, 7, 0f, 1f);
        for (long step : new long[]{1, 3, 1000}) {
            AdamWParams ap = AdamWParams.atStep(1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, step);
            float[] ep = p.clone();
            float[] em = m.clone();
            float[] ev = v.clone();
            OptimizerKernels.adamw(ap, ep, g, em, ev, N);
            Storage ps = upload(p);
            Storage ms = upload(m);
            Storage vs = upload(v);
            CPU.adamwStep(ap, ps, upload(g), ms, vs, N);
            assertArrayEquals(ep, read(ps), "param at step " + step);
            assertArrayEquals(em, read(ms), "m at step " + step);
            assertArrayEquals(ev, read(vs), "v at step " + step);
        }
    }

    @Test
    void dropoutMasksAreBitIdentical() {
        for (long seed : new long[]{0L, 42L, -7_123_456_789L, Long.MAX_VALUE}) {
            for (float p : new float[]{0f, 0.1f, 0.5f, 0.999f, 1f}) {
                float[] expected = new float[N];
                ElementwiseKernels.dropoutMask(seed, p, expected, N);
                Storage mask = CPU.allocate(N);
                CPU.dropoutMask(seed, p, mask, N);
                assertArrayEquals(expected, read(mask), "seed " + seed + " p " + p);
            }
        }
    }
}
