package dev.fineturn.cuda;

import dev.fineturn.spi.Storage;

import static dev.fineturn.cuda.CudaLauncher.dims;

/** Sum over the axes where the output has extent 1, on dimensions collapsed by {@link ReducePlan}. */
final class CudaReduce {
    private CudaReduce() {
    }

    static void sum(CudaLauncher k, int[] inShape, Storage in, int[] outShape, Storage out) {
        ReducePlan p = ReducePlan.of(inShape, outShape);
        if (p.outSize() == 0) {
            return;
        }
        if (p.count() == 0) {
            CudaElementwise.fill(k, out, 0, p.outSize(), 0f);
        } else if (p.serial()) {
            k.launch("sum_reduce_serial", LaunchShape.linear(p.outSize()), p.rank(), dims(p.kept()), dims(p.red()),
                    dims(p.strides()), in, out, p.outSize(), p.count());
        } else {
            k.launch("sum_reduce_block", LaunchShape.perItem(p.outSize(), LaunchShape.THREADS), p.rank(),
                    dims(p.kept()), dims(p.red()), dims(p.strides()), in, out, p.count());
        }
    }
}
