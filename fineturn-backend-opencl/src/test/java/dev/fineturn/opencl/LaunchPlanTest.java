package dev.fineturn.opencl;

import dev.fineturn.spi.AdamWParams;
import dev.fineturn.spi.Backend;
import dev.fineturn.spi.BinaryOp;
import dev.fineturn.spi.ConvGeometry;
import dev.fineturn.spi.GemmSpec;
import dev.fineturn.spi.PoolGeometry;
import dev.fineturn.spi.SgdParams;
import dev.fineturn.spi.Storage;
import dev.fineturn.spi.UnaryOp;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static dev.fineturn.opencl.RecordingLauncher.storage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The launches the kernel families plan, without a device: concrete ranges and arguments, and for
 * every launch, a kernel of that name in the program's sources whose parameters match the
 * arguments in number and kind.
 */
class LaunchPlanTest {
    private static final Map<String, List<String>> KERNELS = KernelSignatures.entries();

    private static final ConvGeometry CONV = new ConvGeometry(2, 20, 17, 19, 24, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
    private static final ConvGeometry STRIDED = new ConvGeometry(3, 12, 15, 13, 18, 3, 3, 2, 2, 0, 1, 2, 1, 2, 2, 2);
    private static final ConvGeometry DEPTHWISE = new ConvGeometry(1, 8, 23, 21, 8, 5, 5, 2, 2, 2, 3, 1, 0, 2, 1, 8);
    private static final ConvGeometry BIG = new ConvGeometry(8, 64, 56, 56, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
    private static final PoolGeometry POOL = new PoolGeometry(2, 3, 7, 9, 3, 2, 2, 2, 1, 0, 1, 1, true, false);
    private static final GemmSpec SMALL = new GemmSpec(2, 7, 13, 17, true, false, 300, 221, 91);

    /** Every launch every family plans for a spread of shapes, with the CPU or the GPU kernels. */
    private static List<ClLaunch> allPlans(boolean cpuKernels) {
        RecordingLauncher k = new RecordingLauncher(cpuKernels);
        Storage s = storage(1);
        ClElementwise.fill(k, s, 3, 1000, 2f);
        ClElementwise.copyStrided(k, new int[]{2, 3, 4}, s, 1, new int[]{1, 8, 2}, s, 0, new int[]{12, 4, 1});
        ClElementwise.unary(k, UnaryOp.HARD_SWISH, 1 / 6f, 0.5f, s, s, 77);
        ClElementwise.unaryBackward(k, UnaryOp.TANH, 0, 0, s, s, s, s, 77);
        ClElementwise.binary(k, BinaryOp.DIV, new int[]{4, 5}, s, 0, new int[]{5, 1}, s, 2, new int[]{0, 1}, s);
        ClReduce.sum(k, new int[]{2, 3, 4}, s, new int[]{1, 3, 1}, s);
        ClReduce.sum(k, new int[]{64, 100}, s, new int[]{1, 100}, s);
        ClGemm.gemm(k, SMALL, 1.5f, s, 4, s, 5, 0.5f, s, 6);
        ClGemm.gemm(k, GemmSpec.of(10, 100, 600, false, true), 1f, s, 0, s, 0, 0f, s, 0);
        for (ConvGeometry g : List.of(CONV, STRIDED, DEPTHWISE, BIG)) {
            ClConv.forward(k, g, s, s, s);
            ClConv.backwardData(k, g, s, s, s);
            ClConv.backwardWeights(k, g, s, s, s);
        }
        ClPool.maxForward(k, POOL, s, s);
        ClPool.maxBackward(k, POOL, s, s, s);
        ClPool.avgForward(k, POOL, s, s);
        ClPool.avgBackward(k, POOL, s, s);
        ClSoftmax.forward(k, 7, 13, true, s, s);
        ClSoftmax.backward(k, 7, 13, false, s, s, s);
        ClSoftmax.crossEntropyForward(k, 7, 13, 0.1f, s, s, s, s);
        ClSoftmax.crossEntropyBackward(k, 7, 13, 0.1f, s, s, s, s);
        ClNorm.statistics(k, 2, 5, 49, s, s, s);
        ClNorm.forward(k, 2, 5, 49, 1e-5f, s, s, s, s, s, s);
        ClNorm.backward(k, 2, 5, 49, 1e-5f, true, s, s, s, s, s, s, s, s);
        ClOptim.dropoutMask(k, -7L, 0.3f, s, 1000);
        ClOptim.sgd(k, new SgdParams(0.1f, 0.9f, 0f, 1e-4f, true, false), s, s, s, 10);
        ClOptim.adamw(k, AdamWParams.atStep(1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, 3), s, s, s, s, 10);
        return k.launches;
    }

    @Test
    void everyPlannedLaunchMatchesItsKernel() {
        for (boolean cpu : new boolean[]{true, false}) {
            List<ClLaunch> plans = allPlans(cpu);
            assertTrue(plans.size() > 30, "launches planned: " + plans.size());
            for (ClLaunch l : plans) {
                List<String> params = KERNELS.get(l.kernel());
                assertTrue(params != null, "kernel " + l.kernel() + " is in none of " + List.of(ClContext.SOURCES));
                assertEquals(params, l.args().stream().map(KernelSignatures::kindOf).toList(), "arguments of " + l);
                if (KERNELS_WITH_LOCAL_ARRAYS.contains(l.kernel())) {
                    assertEquals(ClRange.RB, l.range().local()[0], "work-group of " + l + " must be RB");
                }
            }
        }
    }

    /** The kernels that reduce in a local array of RB floats, so they need exactly RB work-items per group. */
    private static final Set<String> KERNELS_WITH_LOCAL_ARRAYS = Set.of("conv_bwd_weights_direct", "bn_statistics",
            "bn_backward_reduce", "sum_reduce_block", "softmax_rows", "softmax_backward_rows", "cross_entropy_fwd");

    @Test
    void everyKernelOfTheSourcesIsLaunchedBySomePlan() {
        assertTrue(KERNELS.size() > 30, "kernels found: " + KERNELS.keySet());
        Set<String> launched = new TreeSet<>();
        allPlans(true).forEach(l -> launched.add(l.kernel()));
        allPlans(false).forEach(l -> launched.add(l.kernel()));
        assertEquals(new TreeSet<>(KERNELS.keySet()), launched);
    }

    @Test
    void theBackendOverridesEveryKernelOfTheSpi() {
        List<String> missing = new ArrayList<>();
        for (Method m : Backend.class.getMethods()) {
            // upload composes allocate and write; markConstant is a hint whose default keeps nothing: neither
            // falls back to the reference.
            if (!m.isDefault() || Modifier.isStatic(m.getModifiers()) || m.getName().equals("upload")
                    || m.getName().equals("markConstant")) {
                continue;
            }
            try {
                OpenClBackend.class.getDeclaredMethod(m.getName(), m.getParameterTypes());
            } catch (NoSuchMethodException e) {
                missing.add(m.getName());
            }
        }
        assertEquals(List.of(), missing, "Backend methods that would fall back to the reference");
    }

    @Test
    void gemmRunsLocalMemoryTilesWithOffsetsAndStrides() {
        RecordingLauncher k = new RecordingLauncher(false);
        Storage a = storage(1);
        Storage b = storage(1);
        Storage c = storage(1);
        ClGemm.gemm(k, SMALL, 1.5f, a, 4, b, 5, 0.5f, c, 6);
        ClLaunch l = k.only();
        assertEquals("gemm", l.kernel());
        // 13 columns x 7 rows: one 64 x 64 tile of 16 x 16 work-items per batch entry
        assertEquals(new ClRange(new long[]{16, 16, 2}, new long[]{16, 16, 1}), l.range());
        assertEquals(List.of(7, 13, 17, 1, 0, 1.5f, 0.5f, a, 4, 300, b, 5, 221, c, 6, 91), l.args());
    }

    @Test
    void packedGemmPacksBothOperandsIntoScratchThenMultiplies() {
        RecordingLauncher k = new RecordingLauncher(true);
        Storage a = storage(1);
        Storage b = storage(1);
        Storage c = storage(1);
        ClGemm.gemm(k, SMALL, 1.5f, a, 4, b, 5, 0.5f, c, 6);
        assertEquals(List.of("pack_a", "pack_b", "gemm_packed"), k.kernels());
        // A: 7 rows in 2 panels of 6, k = 17 in 2 steps of 16; B: 13 columns in 1 panel of 16; both batches
        assertEquals(ClRange.of(2, 2, 2), k.launches.get(0).range());
        assertEquals(ClRange.of(2, 1, 2), k.launches.get(1).range());
        assertEquals(ClRange.of(1, 2, 2), k.launches.get(2).range());
        assertEquals(List.of(2L * 2 * 6 * 17 + 2L * 16 * 17), k.scratchRequests);
        List<Object> packA = k.launches.get(0).args();
        assertEquals(List.of(0, 7, 17, 0, 17, 1, 0, a, 4, 300), List.of(packA.get(0), packA.get(2), packA.get(3),
                packA.get(4), packA.get(5), packA.get(6), packA.get(7), packA.get(8), packA.get(9), packA.get(10)));
        List<Object> mul = k.launches.get(2).args();
        assertEquals(List.of(7, 13, 17, 0, 13, 1.5f, 0.5f), mul.subList(0, 7));
        assertSame(mul.get(8), mul.get(10), "both panels live in the one scratch buffer");
        assertEquals(2 * 2 * 6 * 17, mul.get(11), "B's panels follow A's");
        assertEquals(List.of(c, 6, 91, 13, 0, 13), mul.subList(12, 18));
    }

    @Test
    void packedGemmRunsLongReductionsInChunksThatAccumulate() {
        RecordingLauncher k = new RecordingLauncher(true);
        Storage s = storage(1);
        ClGemm.gemm(k, GemmSpec.of(10, 100, 600, false, false), 1f, s, 0, s, 0, 0.25f, s, 0);
        assertEquals(9, k.launches.size(), "three k chunks of 256, 256 and 88: pack A, pack B, multiply each");
        List<ClLaunch> multiplies = k.launches.stream().filter(l -> l.kernel().equals("gemm_packed")).toList();
        assertEquals(List.of(256, 256, 88), multiplies.stream().map(l -> l.args().get(2)).toList());
        assertEquals(List.of(0.25f, 1f, 1f), multiplies.stream().map(l -> l.args().get(6)).toList());
    }

    @Test
    void convolutionPicksTheKernelFamilyOfTheDevice() {
        Storage s = storage(1);
        RecordingLauncher gpu = new RecordingLauncher(false);
        ClConv.forward(gpu, CONV, s, s, s);
        ClConv.backwardData(gpu, CONV, s, s, s);
        ClConv.backwardWeights(gpu, CONV, s, s, s);
        assertEquals(List.of("conv_fwd_gemm", "conv_bwd_data_gemm", "conv_bwd_weights_gemm"), gpu.kernels());
        // forward: 2 * 17 * 19 = 646 pixels x 24 output channels -> 11 x 1 tiles
        assertEquals(ClRange.tiles(646, 24, 1), gpu.launches.get(0).range());
        assertEquals(176, gpu.launches.get(0).range().global()[0]);
        // weights: 646 reduced elements in one split of 656
        assertEquals(List.of(1, 656), gpu.launches.get(2).args().subList(4, 6));
        assertTrue(gpu.scratchRequests.isEmpty());

        RecordingLauncher cpu = new RecordingLauncher(true);
        ClConv.forward(cpu, CONV, s, s, s);
        ClConv.backwardData(cpu, CONV, s, s, s);
        ClConv.backwardWeights(cpu, CONV, s, s, s);
        assertEquals(List.of("pack_a", "pack_b", "gemm_packed", "pack_a", "pack_b", "gemm_packed", "pack_a", "pack_b",
                "gemm_packed"), cpu.kernels());
        // the packing mode of A and B: weights and im2col; transposed weights and gathered dy; im2col rows and dy^T
        List<Object> modes = cpu.launches.stream().filter(l -> l.kernel().startsWith("pack"))
                .map(l -> l.args().getFirst()).toList();
        assertEquals(List.of(ClPackedGemm.MATRIX, ClPackedGemm.IM2COL, ClPackedGemm.WEIGHTS_T, ClPackedGemm.DY_GATHER,
                ClPackedGemm.IM2COL_ROWS, ClPackedGemm.DY_T), modes);
    }

    @Test
    void depthwiseConvolutionRunsDirectKernelsOrRowsOnCpus() {
        Storage s = storage(1);
        assertEquals(9, DEPTHWISE.outH());
        assertEquals(10, DEPTHWISE.outW());
        RecordingLauncher gpu = new RecordingLauncher(false);
        ClConv.forward(gpu, DEPTHWISE, s, s, s);
        ClConv.backwardData(gpu, DEPTHWISE, s, s, s);
        ClConv.backwardWeights(gpu, DEPTHWISE, s, s, s);
        assertEquals(List.of("conv_fwd_direct", "conv_bwd_data_direct", "conv_bwd_weights_direct"), gpu.kernels());
        // 8 x 9 x 10 outputs, 8 x 23 x 21 inputs, one work-group per each of the 8 x 25 weights
        assertEquals(ClRange.linear(720), gpu.launches.get(0).range());
        assertEquals(ClRange.linear(8 * 23 * 21), gpu.launches.get(1).range());
        assertEquals(new ClRange(new long[]{200 * 64}, new long[]{64}), gpu.launches.get(2).range());

        RecordingLauncher cpu = new RecordingLauncher(true);
        ClConv.forward(cpu, DEPTHWISE, s, s, s);
        ClConv.backwardData(cpu, DEPTHWISE, s, s, s);
        ClConv.backwardWeights(cpu, DEPTHWISE, s, s, s);
        assertEquals(List.of("conv_fwd_rows", "conv_bwd_data_rows", "conv_bwd_weights_rows"), cpu.kernels());
        // one work-item per output row, per input row, per weight
        assertEquals(ClRange.linear(8 * 9), cpu.launches.get(0).range());
        assertEquals(ClRange.linear(8 * 23), cpu.launches.get(1).range());
        assertEquals(ClRange.linear(200), cpu.launches.get(2).range());
    }

    @Test
    void longWeightGradientReductionsSplitIntoScratchAndAreSummedInOrder() {
        RecordingLauncher k = new RecordingLauncher(false);
        Storage x = storage(1);
        Storage dy = storage(1);
        Storage dw = storage(1);
        ClConv.backwardWeights(k, BIG, x, dy, dw);
        assertEquals(List.of("conv_bwd_weights_gemm", "sum_partials"), k.kernels());
        int weights = 64 * 64 * 9;
        assertEquals(List.of(29L * weights), k.scratchRequests);
        ClLaunch gemm = k.launches.get(0);
        // 576 x 64: 9 x 1 tiles, 29 splits of 880 over 8 * 56 * 56 = 25088
        assertEquals(new ClRange(new long[]{9 * 16, 16, 29}, new long[]{16, 16, 1}), gemm.range());
        assertSame(x, gemm.args().get(1));
        assertSame(dy, gemm.args().get(2));
        assertEquals(List.of(29, 880), gemm.args().subList(4, 6));
        ClLaunch sum = k.launches.get(1);
        assertSame(gemm.args().get(3), sum.args().get(0), "sum_partials reads the slices the GEMM wrote");
        assertEquals(List.of(29, dw, weights), sum.args().subList(1, 4));
        assertEquals(ClRange.linear(weights), sum.range());
    }

    @Test
    void reductionsAndRowKernelsRunOneWorkGroupPerItem() {
        RecordingLauncher k = new RecordingLauncher(false);
        Storage s = storage(1);
        ClSoftmax.forward(k, 7, 13, true, s, s);
        ClNorm.backward(k, 2, 5, 49, 1e-5f, false, s, s, s, s, s, s, s, s);
        ClReduce.sum(k, new int[]{64, 100}, s, new int[]{1, 100}, s);
        ClReduce.sum(k, new int[]{2, 3, 4}, s, new int[]{1, 3, 1}, s);
        ClReduce.sum(k, new int[]{0, 3}, s, new int[]{1, 3}, s);
        assertEquals(List.of("softmax_rows", "bn_backward_reduce", "bn_backward_data", "sum_reduce_block",
                "sum_reduce_serial", "fill"), k.kernels());
        assertEquals(new ClRange(new long[]{7 * 64}, new long[]{64}), k.launches.get(0).range());
        assertEquals(List.of(13, 1), k.launches.get(0).args().subList(0, 2));
        assertEquals(ClRange.perItem(5, 64), k.launches.get(1).range());
        assertEquals(0, k.launches.get(2).args().get(4), "running statistics");
        assertEquals(ClRange.perItem(100, 64), k.launches.get(3).range());
        // 2 x 3 x 4 summed to 1 x 3 x 1: three dimensions, the kept one of extent 3 and stride 4, 3 outputs of 8
        assertEquals(List.of(3, 3, 4, 3, 8), List.of(k.launches.get(4).args().get(0),
                ((int[]) k.launches.get(4).args().get(1))[1], ((int[]) k.launches.get(4).args().get(3))[1],
                k.launches.get(4).args().get(6), k.launches.get(4).args().get(7)));
        assertEquals(List.of(0, 3, 0f), k.launches.get(5).args().subList(1, 4), "an empty sum is zero");
    }

    @Test
    void optimiserAndDropoutArgumentsFollowTheReference() {
        RecordingLauncher k = new RecordingLauncher(false);
        Storage p = storage(1);
        Storage g = storage(1);
        ClOptim.dropoutMask(k, -7L, 0.25f, p, 1000);
        ClOptim.dropoutMask(k, 3L, 1f, p, 10);
        ClOptim.sgd(k, new SgdParams(0.1f, 0f, 0f, 0f, false, true), p, g, null, 10);
        ClOptim.sgd(k, new SgdParams(0.1f, 0.9f, 0f, 0f, false, false), p, g, null, 10);
        ClOptim.adamw(k, new AdamWParams(0.5f, 0.9f, 0.999f, 1e-8f, 0.1f, 0.1f, 0.001f), p, g, p, p, 10);
        assertEquals(List.of(-7L, 0.25f, 1f / 0.75f, p, 1000), k.launches.get(0).args());
        assertEquals(0f, k.launches.get(1).args().get(2), "p = 1 drops everything");
        assertSame(g, k.launches.get(2).args().get(8), "without momentum no buffer is touched");
        assertEquals(List.of(10L), k.allocations, "momentum without a buffer gets a zero one");
        assertEquals(1f - 0.5f * 0.1f, k.launches.get(4).args().get(4), "decoupled decay factor");
    }

    @Test
    void refusesRangesAndSizesTheDeviceCannotTake() {
        RecordingLauncher k = new RecordingLauncher(false);
        Storage s = storage(1);
        assertThrows(IllegalArgumentException.class, () -> ClElementwise.fill(k, s, 0, 1L << 31, 0f));
        assertThrows(IllegalArgumentException.class, () -> ClConv.forward(k,
                new ConvGeometry(1024, 64, 256, 256, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1), s, s, s));
        assertThrows(IllegalArgumentException.class, () -> ClElementwise.binary(k, BinaryOp.ADD,
                new int[]{1, 1, 1, 1, 1, 1, 1, 1, 2}, s, 0, new int[9], s, 0, new int[9], s));
        assertTrue(k.launches.isEmpty());
        assertEquals("opencl: range [100] is not a multiple of work-group [64]",
                assertThrows(IllegalArgumentException.class, () -> new ClRange(new long[]{100}, new long[]{64}))
                        .getMessage());
        assertThrows(IllegalArgumentException.class, () -> ClLaunch.of("fill", ClRange.linear(1), new int[3]));
    }
}
