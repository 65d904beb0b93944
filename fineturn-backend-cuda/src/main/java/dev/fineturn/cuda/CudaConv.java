package dev.fineturn.cuda;

import dev.fineturn.spi.ConvGeometry;
import dev.fineturn.spi.Storage;

import static dev.fineturn.cuda.CudaLauncher.checkedInt;

/**
 * Convolution on the device: implicit GEMMs on the tiled kernels (no im2col buffer), and direct
 * kernels for depthwise-like groups (one input or one output channel per group), where a GEMM
 * tile would be mostly padding. The weight gradient splits its long reduction over (n, oy, ox)
 * into chunks when there are too few output tiles to fill the device ({@link SplitK}).
 */
final class CudaConv {
    private CudaConv() {
    }

    static void forward(CudaLauncher k, ConvGeometry g, Storage x, Storage w, Storage y) {
        int[] geo = geometry(g);
        if (direct(g)) {
            k.launch("conv_fwd_direct", LaunchShape.linear(count(g, g.outChannels(), g.outH(), g.outW())), geo, x, w,
                    y);
            return;
        }
        long pixels = count(g, 1, g.outH(), g.outW());
        GemmTile tile = GemmTile.choose(g.outChannelsPerGroup(), pixels, g.groups());
        k.launch(tile.kernel("conv_fwd"), tile.shape(g.outChannelsPerGroup(), pixels, g.groups()), geo, x, w, y);
    }

    static void backwardData(CudaLauncher k, ConvGeometry g, Storage dy, Storage w, Storage dx) {
        int[] geo = geometry(g);
        if (direct(g)) {
            k.launch("conv_bwd_data_direct", LaunchShape.linear(count(g, g.inChannels(), g.inH(), g.inW())), geo,
                    dy, w, dx);
            return;
        }
        long pixels = count(g, 1, g.inH(), g.inW());
        GemmTile tile = GemmTile.choose(g.inChannelsPerGroup(), pixels, g.groups());
        k.launch(tile.kernel("conv_bwd_data"), tile.shape(g.inChannelsPerGroup(), pixels, g.groups()), geo, dy, w,
                dx);
    }

    static void backwardWeights(CudaLauncher k, ConvGeometry g, Storage x, Storage dy, Storage dw) {
        int[] geo = geometry(g);
        int perOut = checkedInt((long) g.inChannelsPerGroup() * g.kernelH() * g.kernelW(), "weight count");
        int weights = checkedInt((long) g.outChannels() * perOut, "weight count");
        if (direct(g)) {
            k.launch("conv_bwd_weights_direct", LaunchShape.perItem(weights, LaunchShape.THREADS), geo, x, dy, dw);
            return;
        }
        int reduction = checkedInt(count(g, 1, g.outH(), g.outW()), "reduction length");
        GemmTile tile = GemmTile.choose(g.outChannelsPerGroup(), perOut, g.groups());
        SplitK split = SplitK.plan(reduction, tile.blocks(g.outChannelsPerGroup(), perOut), g.groups(), tile.depth);
        LaunchShape shape = tile.shape(g.outChannelsPerGroup(), perOut, (long) g.groups() * split.splits());
        String kernel = tile.kernel("conv_bwd_weights");
        if (split.splits() == 1) {
            k.launch(kernel, shape, geo, x, dy, dw, 1, split.chunk());
            return;
        }
        synchronized (k) {
            Storage parts = k.scratch(checkedInt((long) split.splits() * weights, "partial weight gradients"));
            k.launch(kernel, shape, geo, x, dy, parts, split.splits(), split.chunk());
            k.launch("sum_partials", LaunchShape.linear(weights), parts, split.splits(), dw, weights);
        }
    }

    /** Depthwise-like groups, where a GEMM tile would be mostly padding. */
    static boolean direct(ConvGeometry g) {
        return g.inChannelsPerGroup() == 1 || g.outChannelsPerGroup() == 1;
    }

    /** The kernels' {@code Geo} struct. */
    static int[] geometry(ConvGeometry g) {
        count(g, g.inChannels(), g.inH(), g.inW());
        count(g, g.outChannels(), g.outH(), g.outW());
        return new int[]{g.batch(), g.inChannels(), g.inH(), g.inW(), g.outChannels(), g.kernelH(), g.kernelW(),
            g.strideH(), g.strideW(), g.padTop(), g.padLeft(), g.dilationH(), g.dilationW(), g.groups(), g.outH(),
            g.outW()};
    }

    /** batch * channels * h * w, refused beyond the kernels' 32-bit indices. */
    private static long count(ConvGeometry g, int channels, int h, int w) {
        return checkedInt((long) g.batch() * channels * h * w, "element count");
    }
}
