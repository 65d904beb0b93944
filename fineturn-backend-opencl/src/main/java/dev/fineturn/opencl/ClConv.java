package dev.fineturn.opencl;

import dev.fineturn.spi.ConvGeometry;
import dev.fineturn.spi.Storage;

/**
 * Convolution on the device: implicit-GEMM kernels in local-memory tiles, and direct kernels for
 * depthwise-like groups (one input or one output channel per group) where a GEMM tile would be
 * mostly padding.
 */
final class ClConv {
    /** Work-groups the weight-gradient GEMM aims for, splitting its long reduction to get them. */
    private static final long TARGET_GROUPS = 256;
    private static final int MIN_CHUNK = 512;
    private static final int MAX_SPLITS = 64;

    private ClConv() {
    }

    static void forward(ClLauncher b, ConvGeometry g, Storage x, Storage w, Storage y) {
        int[] geo = geometry(g);
        if (direct(g) && b.cpuKernels()) {
            b.launch("conv_fwd_rows", ClRange.linear(count(g, g.outChannels(), g.outH(), 1)), geo, x, w, y);
        } else if (direct(g)) {
            b.launch("conv_fwd_direct", ClRange.linear(count(g, g.outChannels(), g.outH(), g.outW())),
                    geo, x, w, y);
        } else if (b.cpuKernels()) {
            int outPixels = g.outH() * g.outW();
            int k = g.inChannelsPerGroup() * g.kernelH() * g.kernelW();
            ClPackedGemm.run(b, geo, g.groups(), g.outChannelsPerGroup(),
                    ClLauncher.checkedInt((long) g.batch() * outPixels, "pixel count"), k, 1f,
                    new ClPackedGemm.Source(ClPackedGemm.MATRIX, false, w, 0, g.outChannelsPerGroup() * k),
                    new ClPackedGemm.Source(ClPackedGemm.IM2COL, false, x, 0, 0), 0f,
                    new ClPackedGemm.Target(y, 0, g.outChannelsPerGroup() * outPixels, outPixels,
                            g.outChannels() * outPixels, outPixels));
        } else {
            long pixels = (long) g.batch() * g.outH() * g.outW();
            b.launch("conv_fwd_gemm", ClRange.tiles(pixels, g.outChannelsPerGroup(), g.groups()),
                    geo, x, w, y);
        }
    }

    static void backwardData(ClLauncher b, ConvGeometry g, Storage dy, Storage w, Storage dx) {
        int[] geo = geometry(g);
        if (direct(g) && b.cpuKernels()) {
            b.launch("conv_bwd_data_rows", ClRange.linear(count(g, g.inChannels(), g.inH(), 1)), geo, dy,
                    w, dx);
        } else if (direct(g)) {
            b.launch("conv_bwd_data_direct", ClRange.linear(count(g, g.inChannels(), g.inH(), g.inW())), geo,
                    dy, w, dx);
        } else if (b.cpuKernels()) {
            int inPixels = g.inH() * g.inW();
            ClPackedGemm.run(b, geo, g.groups(), g.inChannelsPerGroup(),
                    ClLauncher.checkedInt((long) g.batch() * inPixels, "pixel count"),
                    g.outChannelsPerGroup() * g.kernelH() * g.kernelW(), 1f,
                    new ClPackedGemm.Source(ClPackedGemm.WEIGHTS_T, false, w, 0, 0),
                    new ClPackedGemm.Source(ClPackedGemm.DY_GATHER, false, dy, 0, 0), 0f,
                    new ClPackedGemm.Target(dx, 0, g.inChannelsPerGroup() * inPixels, inPixels,
                            g.inChannels() * inPixels, inPixels));
        } else {
            long pixels = (long) g.batch() * g.inH() * g.inW();
            b.launch("conv_bwd_data_gemm", ClRange.tiles(pixels, g.inChannelsPerGroup(), g.groups()),
                    geo, dy, w, dx);
        }
    }

    static void backwardWeights(ClLauncher b, ConvGeometry g, Storage x, Storage dy, Storage dw) {
        int[] geo = geometry(g);
        int perOut = g.inChannelsPerGroup() * g.kernelH() * g.kernelW();
        int weights = ClLauncher.checkedInt((long) g.outChannels() * perOut, "weight count");
        if (direct(g) && b.cpuKernels()) {
            b.launch("conv_bwd_weights_rows", ClRange.linear(weights), geo, x, dy, dw);
            return;
        }
        if (direct(g)) {
            b.launch("conv_bwd_weights_direct", ClRange.perItem(weights, ClRange.RB), geo, x, dy, dw);
            return;
        }
        int reduction = ClLauncher.checkedInt((long) g.batch() * g.outH() * g.outW(), "reduction length");
        if (b.cpuKernels()) {
            // dw^T = im2col(x) dy^T: the large operand, im2col(x), packs along its contiguous pixel rows.
            ClPackedGemm.run(b, geo, g.groups(), perOut, g.outChannelsPerGroup(), reduction, 1f,
                    new ClPackedGemm.Source(ClPackedGemm.IM2COL_ROWS, false, x, 0, 0),
                    new ClPackedGemm.Source(ClPackedGemm.DY_T, false, dy, 0, 0), 0f,
                    new ClPackedGemm.Target(dw, 0, g.outChannelsPerGroup() * perOut, 1, perOut, 1));
            return;
        }
        long tileCount = ceil(perOut, ClRange.TILE) * ceil(g.outChannelsPerGroup(), ClRange.TILE)
                * g.groups();
        int splits = (int) Math.max(1, Math.min(Math.min(ceil(TARGET_GROUPS, tileCount), MAX_SPLITS),
                reduction / MIN_CHUNK));
        int chunk = (int) (ceil(reduction, splits * 16L) * 16);
        splits = (int) ceil(reduction, chunk);
        ClRange global = ClRange.tiles(perOut, g.outChannelsPerGroup(), (long) g.groups() * splits);
        if (splits == 1) {
            b.launch("conv_bwd_weights_gemm", global, geo, x, dy, dw, 1, chunk);
            return;
        }
        synchronized (b) {
            Storage parts = b.scratch((long) splits * weights);
            b.launch("conv_bwd_weights_gemm", global, geo, x, dy, parts, splits, chunk);
            b.launch("sum_partials", ClRange.linear(weights), parts, splits, dw, weights);
        }
    }

    /** Depthwise-like groups, where a GEMM tile would be mostly padding. */
    private static boolean direct(ConvGeometry g) {
        return g.inChannelsPerGroup() == 1 || g.outChannelsPerGroup() == 1;
    }

    /** The kernels' {@code Geo} struct; tensors beyond the kernels' 32-bit indices are refused. */
    private static int[] geometry(ConvGeometry g) {
        count(g, g.inChannels(), g.inH(), g.inW());
        count(g, g.outChannels(), g.outH(), g.outW());
        return new int[]{g.batch(), g.inChannels(), g.inH(), g.inW(), g.outChannels(), g.kernelH(), g.kernelW(),
            g.strideH(), g.strideW(), g.padTop(), g.padLeft(), g.dilationH(), g.dilationW(), g.groups(), g.outH(),
            g.outW()};
    }

    private static long count(ConvGeometry g, int channels, int h, int w) {
        return ClLauncher.checkedInt((long) g.batch() * channels * h * w, "element count");
    }

    private static long ceil(long a, long b) {
        return (a + b - 1) / b;
    }
}
