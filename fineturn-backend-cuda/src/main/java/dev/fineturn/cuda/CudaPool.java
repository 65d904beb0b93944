package dev.fineturn.cuda;

import dev.fineturn.spi.PoolGeometry;
import dev.fineturn.spi.Storage;

import static dev.fineturn.cuda.CudaLauncher.checkedInt;

/** Max and average pooling, one thread per element; backward kernels gather, so no atomics. */
final class CudaPool {
    private CudaPool() {
    }

    static void maxForward(CudaLauncher k, PoolGeometry g, Storage x, Storage y) {
        k.launch("max_pool_fwd", LaunchShape.linear(outputs(g)), geometry(g), x, y);
    }

    static void maxBackward(CudaLauncher k, PoolGeometry g, Storage x, Storage dy, Storage dx) {
        k.launch("max_pool_bwd", LaunchShape.linear(inputs(g)), geometry(g), x, dy, dx);
    }

    static void avgForward(CudaLauncher k, PoolGeometry g, Storage x, Storage y) {
        k.launch("avg_pool_fwd", LaunchShape.linear(outputs(g)), geometry(g), x, y);
    }

    static void avgBackward(CudaLauncher k, PoolGeometry g, Storage dy, Storage dx) {
        k.launch("avg_pool_bwd", LaunchShape.linear(inputs(g)), geometry(g), dy, dx);
    }

    /** The kernels' {@code Geo} struct. */
    static int[] geometry(PoolGeometry g) {
        int planes = checkedInt((long) g.batch() * g.channels(), "plane count");
        outputs(g);
        inputs(g);
        return new int[]{planes, g.inH(), g.inW(), g.kernelH(), g.kernelW(), g.strideH(), g.strideW(), g.padTop(),
            g.padLeft(), g.padBottom(), g.padRight(), g.countIncludePad() ? 1 : 0, g.outH(), g.outW(), 0, 0};
    }

    private static int outputs(PoolGeometry g) {
        return checkedInt((long) g.batch() * g.channels() * g.outH() * g.outW(), "element count");
    }

    private static int inputs(PoolGeometry g) {
        return checkedInt((long) g.batch() * g.channels() * g.inH() * g.inW(), "element count");
    }
}
