package dev.fineturn.opencl;

import dev.fineturn.spi.PoolGeometry;
import dev.fineturn.spi.Storage;

/** Max and average pooling on the device; backward kernels gather, so no atomics. */
final class ClPool {
    private ClPool() {
    }

    static void maxForward(ClLauncher b, PoolGeometry g, Storage x, Storage y) {
        b.launch("max_pool_fwd", ClRange.linear(outputs(g)), geometry(g), x, y);
    }

    static void maxBackward(ClLauncher b, PoolGeometry g, Storage x, Storage dy, Storage dx) {
        b.launch("max_pool_bwd", ClRange.linear(inputs(g)), geometry(g), x, dy, dx);
    }

    static void avgForward(ClLauncher b, PoolGeometry g, Storage x, Storage y) {
        b.launch("avg_pool_fwd", ClRange.linear(outputs(g)), geometry(g), x, y);
    }

    static void avgBackward(ClLauncher b, PoolGeometry g, Storage dy, Storage dx) {
        b.launch("avg_pool_bwd", ClRange.linear(inputs(g)), geometry(g), dy, dx);
    }

    private static int[] geometry(PoolGeometry g) {
        int planes = ClLauncher.checkedInt((long) g.batch() * g.channels(), "plane count");
        return new int[]{planes, g.inH(), g.inW(), g.kernelH(), g.kernelW(), g.strideH(), g.strideW(), g.padTop(),
            g.padLeft(), g.padBottom(), g.padRight(), g.countIncludePad() ? 1 : 0, g.outH(), g.outW(), 0, 0};
    }

    private static int outputs(PoolGeometry g) {
        return ClLauncher.checkedInt((long) g.batch() * g.channels() * g.outH() * g.outW(), "element count");
    }

    private static int inputs(PoolGeometry g) {
        return ClLauncher.checkedInt((long) g.batch() * g.channels() * g.inH() * g.inW(), "element count");
    }
}
