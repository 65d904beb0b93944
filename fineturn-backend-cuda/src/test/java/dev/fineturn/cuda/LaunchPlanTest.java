package dev.fineturn.cuda;

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

import static dev.fineturn.cuda.RecordingLauncher.storage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The launches the kernel families plan, without a device: concrete grids and arguments, and for
 * every launch, a kernel of that name in the committed PTX whose parameters match the arguments
 * in number and type.
 */
class LaunchPlanTest {
    private static final Map<String, List<String>> PTX = PtxSignatures.entries();

    private static final ConvGeometry CONV = new ConvGeometry(2, 20, 17, 19, 24, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
    private static final ConvGeometry STRIDED = new ConvGeometry(3, 12, 15, 13, 18, 3, 3, 2, 2, 0, 1, 2, 1, 2, 2, 2);
    private static final ConvGeometry DEPTHWISE = new ConvGeometry(1, 8, 23, 21, 8, 5, 5, 2, 2, 2, 3, 1, 0, 2, 1, 8);
    private static final ConvGeometry BIG = new ConvGeometry(8, 64, 56, 56, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
    private static final PoolGeometry POOL = new PoolGeometry(2, 3, 7, 9, 3, 2, 2, 2, 1, 0, 1, 1, true, false);

    /** Every launch every family plans for a spread of shapes. */
    private static List<KernelLaunch> allPlans() {
        RecordingLauncher k = new RecordingLauncher();
        Storage s = storage(1);
        CudaElementwise.fill(k, s, 3, 1000, 2f);
        CudaElementwise.copyStrided(k, new int[]{2, 3, 4}, s, 1, new int[]{1, 8, 2}, s, 0, new int[]{12, 4, 1});
        CudaElementwise.unary(k, UnaryOp.HARD_SWISH, 1 / 6f, 0.5f, s, s, 77);
        CudaElementwise.unaryBackward(k, UnaryOp.TANH, 0, 0, s, s, s, s, 77);
        CudaElementwise.binary(k, BinaryOp.DIV, new int[]{4, 5}, s, 0, new int[]{5, 1}, s, 2, new int[]{0, 1}, s);
        CudaReduce.sum(k, new int[]{2, 3, 4}, s, new int[]{1, 3, 1}, s);
        CudaReduce.sum(k, new int[]{64, 100}, s, new int[]{1, 100}, s);
        CudaReduce.sum(k, new int[]{0, 3}, s, new int[]{1, 3}, s);
        CudaGemm.gemm(k, new GemmSpec(2, 7, 13, 17, true, false, 300, 221, 91), 1.5f, s, 4, s, 5, 0.5f, s, 6);
        CudaGemm.gemm(k, GemmSpec.of(2048, 2048, 64, false, true), 1f, s, 0, s, 0, 0f, s, 0);
        for (ConvGeometry g : List.of(CONV, STRIDED, DEPTHWISE, BIG)) {
            CudaConv.forward(k, g, s, s, s);
            CudaConv.backwardData(k, g, s, s, s);
            CudaConv.backwardWeights(k, g, s, s, s);
        }
        ConvGeometry wide = new ConvGeometry(16, 256, 30, 30, 256, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1);
        CudaConv.forward(k, wide, s, s, s);
        CudaConv.backwardData(k, wide, s, s, s);
        CudaConv.backwardWeights(k, new ConvGeometry(16, 256, 30, 30, 1024, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1), s, s, s);
        CudaPool.maxForward(k, POOL, s, s);
        CudaPool.maxBackward(k, POOL, s, s, s);
        CudaPool.avgForward(k, POOL, s, s);
        CudaPool.avgBackward(k, POOL, s, s);
        CudaSoftmax.forward(k, 7, 13, true, s, s);
        CudaSoftmax.backward(k, 7, 13, false, s, s, s);
        CudaSoftmax.crossEntropyForward(k, 7, 13, 0.1f, s, s, s, s);
        CudaSoftmax.crossEntropyBackward(k, 7, 13, 0.1f, s, s, s, s);
        CudaNorm.statistics(k, 2, 5, 49, s, s, s);
        CudaNorm.forward(k, 2, 5, 49, 1e-5f, s, s, s, s, s, s);
        CudaNorm.backward(k, 2, 5, 49, 1e-5f, true, s, s, s, s, s, s, s, s);
        CudaOptim.dropoutMask(k, -7L, 0.3f, s, 1000);
        CudaOptim.sgd(k, new SgdParams(0.1f, 0.9f, 0f, 1e-4f, true, false), s, s, s, 10);
        CudaOptim.adamw(k, AdamWParams.atStep(1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, 3), s, s, s, s, 10);
        return k.launches;
    }

    @Test
    void everyPlannedLaunchMatchesItsPtxEntry() {
        for (KernelLaunch l : allPlans()) {
            List<String> params = PTX.get(l.kernel());
            assertTrue(params != null, "kernel " + l.kernel() + " is not in kernels.ptx");
            List<String> args = l.args().stream().map(PtxSignatures::typeOf).toList();
            assertEquals(params, args, "arguments of " + l);
            assertEquals(256, l.shape().blockX() * l.shape().blockY() * l.shape().blockZ(), "block of " + l);
        }
    }

    @Test
    void everyPtxKernelIsLaunchedBySomePlan() {
        Set<String> launched = new TreeSet<>();
        allPlans().forEach(l -> launched.add(l.kernel()));
        assertEquals(new TreeSet<>(PTX.keySet()), launched);
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
                CudaBackend.class.getDeclaredMethod(m.getName(), m.getParameterTypes());
            } catch (NoSuchMethodException e) {
                missing.add(m.getName());
            }
        }
        assertEquals(List.of(), missing, "Backend methods that would fall back to the reference");
    }

    @Test
    void gemmLaunchesTheSmallTileForSmallProductsWithOffsetsAndStrides() {
        RecordingLauncher k = new RecordingLauncher();
        Storage a = storage(1);
        Storage b = storage(1);
        Storage c = storage(1);
        CudaGemm.gemm(k, new GemmSpec(2, 7, 13, 17, true, false, 300, 221, 91), 1.5f, a, 4, b, 5, 0.5f, c, 6);
        KernelLaunch l = k.only();
        assertEquals("gemm_small", l.kernel());
        assertEquals(new LaunchShape(1, 1, 2, 256, 1, 1), l.shape());
        assertEquals(List.of(7, 13, 17, 1, 0, 1.5f, 0.5f, a, 4, 300, b, 5, 221, c, 6, 91), l.args());
    }

    @Test
    void gemmBatchesBeyondTheGridRunAsSeveralLaunches() {
        RecordingLauncher k = new RecordingLauncher();
        Storage s = storage(1);
        CudaGemm.gemm(k, new GemmSpec(70_000, 2, 3, 4, false, false, 8, 0, 6), 1f, s, 10, s, 0, 0f, s, 1);
        assertEquals(2, k.launches.size());
        assertEquals(65535, k.launches.get(0).shape().gridZ());
        assertEquals(4465, k.launches.get(1).shape().gridZ());
        assertEquals(10 + 65535 * 8, k.launches.get(1).args().get(8), "A offset of the second launch");
        assertEquals(0, k.launches.get(1).args().get(11), "a broadcast B keeps its offset");
        assertEquals(1 + 65535 * 6, k.launches.get(1).args().get(14), "C offset of the second launch");
    }

    @Test
    void convolutionPicksImplicitGemmOrDirectKernels() {
        RecordingLauncher k = new RecordingLauncher();
        Storage s = storage(1);
        CudaConv.forward(k, CONV, s, s, s);
        CudaConv.backwardData(k, CONV, s, s, s);
        CudaConv.backwardWeights(k, CONV, s, s, s);
        assertEquals(List.of("conv_fwd_small", "conv_bwd_data_small", "conv_bwd_weights_small"), k.kernels());
        // forward: 24 output channels x 2*17*19 = 646 pixels -> 11 x 1 tiles of 64, 1 group
        assertEquals(new LaunchShape(11, 1, 1, 256, 1, 1), k.launches.get(0).shape());
        assertArrayEquals(new int[]{2, 20, 17, 19, 24, 3, 3, 1, 1, 1, 1, 1, 1, 1, 17, 19},
                (int[]) k.launches.get(0).args().get(0));
        // backward data: 20 input channels x 646 input pixels
        assertEquals(new LaunchShape(11, 1, 1, 256, 1, 1), k.launches.get(1).shape());
        // weights: 24 x 180, 646 reduced elements: one split of 656
        assertEquals(new LaunchShape(3, 1, 1, 256, 1, 1), k.launches.get(2).shape());
        assertEquals(List.of(1, 656), k.launches.get(2).args().subList(4, 6));
        assertTrue(k.scratchRequests.isEmpty());

        k = new RecordingLauncher();
        CudaConv.forward(k, DEPTHWISE, s, s, s);
        CudaConv.backwardData(k, DEPTHWISE, s, s, s);
        CudaConv.backwardWeights(k, DEPTHWISE, s, s, s);
        assertEquals(List.of("conv_fwd_direct", "conv_bwd_data_direct", "conv_bwd_weights_direct"), k.kernels());
        // 8 channels x 9 x 10 outputs -> 3 blocks; 8 x 23 x 21 inputs -> 16 blocks; 8 x 25 weights, a block each
        assertEquals(9, DEPTHWISE.outH());
        assertEquals(10, DEPTHWISE.outW());
        assertEquals(3, k.launches.get(0).shape().gridX());
        assertEquals(16, k.launches.get(1).shape().gridX());
        assertEquals(200, k.launches.get(2).shape().gridX());
    }

    @Test
    void longWeightGradientReductionsSplitIntoScratchAndAreSummedInOrder() {
        RecordingLauncher k = new RecordingLauncher();
        Storage x = storage(1);
        Storage dy = storage(1);
        Storage dw = storage(1);
        CudaConv.backwardWeights(k, BIG, x, dy, dw);
        assertEquals(List.of("conv_bwd_weights_small", "sum_partials"), k.kernels());
        int weights = 64 * 64 * 9;
        assertEquals(List.of(29L * weights), k.scratchRequests);
        KernelLaunch gemm = k.launches.get(0);
        // 64 x 576: 9 x 1 small tiles, 29 splits of 880 over 8*56*56 = 25088
        assertEquals(new LaunchShape(9, 1, 29, 256, 1, 1), gemm.shape());
        assertSame(x, gemm.args().get(1));
        assertSame(dy, gemm.args().get(2));
        assertEquals(List.of(29, 880), gemm.args().subList(4, 6));
        KernelLaunch sum = k.launches.get(1);
        assertSame(gemm.args().get(3), sum.args().get(0), "sum_partials reads the slices the GEMM wrote");
        assertEquals(List.of(29, dw, weights), sum.args().subList(1, 4));
        assertEquals(LaunchShape.linear(weights), sum.shape());
    }

    @Test
    void groupedConvolutionRunsOneGridLayerPerGroup() {
        RecordingLauncher k = new RecordingLauncher();
        Storage s = storage(1);
        CudaConv.forward(k, STRIDED, s, s, s);
        // 9 output channels per group, 3 x 7 x 6 = 126 pixels
        assertEquals(7, STRIDED.outH());
        assertEquals(6, STRIDED.outW());
        assertEquals(new LaunchShape(2, 1, 2, 256, 1, 1), k.only().shape());
    }

    @Test
    void poolGeometryPacksPyTorchsRules() {
        assertArrayEquals(new int[]{6, 7, 9, 3, 2, 2, 2, 1, 0, 1, 1, 0, 4, 5, 0, 0}, CudaPool.geometry(POOL));
        RecordingLauncher k = new RecordingLauncher();
        Storage s = storage(1);
        CudaPool.maxBackward(k, POOL, s, s, s);
        assertEquals(LaunchShape.linear(6 * 7 * 9), k.only().shape());
    }

    @Test
    void reductionsAndRowKernelsRunOneBlockPerItem() {
        RecordingLauncher k = new RecordingLauncher();
        Storage s = storage(1);
        CudaSoftmax.forward(k, 7, 13, true, s, s);
        CudaNorm.backward(k, 2, 5, 49, 1e-5f, false, s, s, s, s, s, s, s, s);
        CudaReduce.sum(k, new int[]{64, 100}, s, new int[]{1, 100}, s);
        CudaReduce.sum(k, new int[]{0, 3}, s, new int[]{1, 3}, s);
        assertEquals(List.of("softmax_rows", "bn_backward_reduce", "bn_backward_data", "sum_reduce_block", "fill"),
                k.kernels());
        assertEquals(LaunchShape.perItem(7, 256), k.launches.get(0).shape());
        assertEquals(List.of(13, 1), k.launches.get(0).args().subList(0, 2));
        assertEquals(LaunchShape.perItem(5, 256), k.launches.get(1).shape());
        assertEquals(0, k.launches.get(2).args().get(4), "running statistics");
        assertEquals(LaunchShape.perItem(100, 256), k.launches.get(3).shape());
        assertEquals(List.of(0, 3, 0f), k.launches.get(4).args().subList(1, 4), "an empty sum is zero");
    }

    @Test
    void optimiserAndDropoutArgumentsFollowTheReference() {
        RecordingLauncher k = new RecordingLauncher();
        Storage p = storage(1);
        Storage g = storage(1);
        CudaOptim.dropoutMask(k, -7L, 0.25f, p, 1000);
        CudaOptim.dropoutMask(k, 3L, 1f, p, 10);
        CudaOptim.sgd(k, new SgdParams(0.1f, 0f, 0f, 0f, false, true), p, g, null, 10);
        CudaOptim.sgd(k, new SgdParams(0.1f, 0.9f, 0f, 0f, false, false), p, g, null, 10);
        CudaOptim.adamw(k, new AdamWParams(0.5f, 0.9f, 0.999f, 1e-8f, 0.1f, 0.1f, 0.001f), p, g, p, p, 10);
        assertEquals(List.of(-7L, 0.25f, 1f / 0.75f, p, 1000), k.launches.get(0).args());
        assertEquals(0f, k.launches.get(1).args().get(2), "p = 1 drops everything");
        assertSame(g, k.launches.get(2).args().get(8), "without momentum no buffer is touched");
        assertEquals(List.of(10L), k.allocations, "momentum without a buffer gets a zero one");
        assertEquals(1f - 0.5f * 0.1f, k.launches.get(4).args().get(4), "decoupled decay factor");
    }

    @Test
    void refusesSizesBeyondThirtyTwoBitIndices() {
        RecordingLauncher k = new RecordingLauncher();
        Storage s = storage(1);
        assertThrows(IllegalArgumentException.class, () -> CudaElementwise.fill(k, s, 0, 1L << 31, 0f));
        assertThrows(IllegalArgumentException.class, () -> CudaConv.forward(k,
                new ConvGeometry(1024, 64, 256, 256, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1), s, s, s));
        assertThrows(IllegalArgumentException.class, () -> CudaElementwise.binary(k, BinaryOp.ADD,
                new int[]{1, 1, 1, 1, 1, 1, 1, 1, 2}, s, 0, new int[9], s, 0, new int[9], s));
        assertTrue(k.launches.isEmpty());
    }
}
