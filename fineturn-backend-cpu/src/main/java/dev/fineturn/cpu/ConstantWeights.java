package dev.fineturn.cpu;

import dev.fineturn.spi.ConvGeometry;
import dev.fineturn.spi.Storage;

import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Storages declared constant ({@link CpuBackend#markConstant}), each with the packed form of the convolution
 * weights it holds once a fused forward has multiplied them: packed on first use instead of on every call. The
 * storages are held weakly, so a pack goes with its weights.
 */
final class ConstantWeights {
    private final Map<Storage, Packs> marked = new WeakHashMap<>();
    private final AtomicLong packed = new AtomicLong();

    synchronized void mark(Storage s) {
        marked.putIfAbsent(s, new Packs(packed));
    }

    /** How many times constant weights have been packed, all storages together. */
    long packed() {
        return packed.get();
    }

    /** The packs of {@code s}, or null where it was not declared constant. */
    synchronized Packs of(Storage s) {
        return marked.get(s);
    }

    /** Constant storages still reachable (or not yet cleared). */
    synchronized int size() {
        return marked.size();
    }

    /** One constant storage's weights packed for the GEMM, per group, for the last geometry that read them. */
    static final class Packs {
        private PackedA[] groups;
        private int outChannelsPerGroup;
        private int depth;
        private int made;
        private final AtomicLong packedByAll;

        private Packs(AtomicLong packedByAll) {
            this.packedByAll = packedByAll;
        }

        /** The weights {@code w} of {@code g}, packed when this is the first call for g's group shape. */
        synchronized PackedA[] packed(ConvGeometry g, float[] w) {
            int ocg = g.outChannelsPerGroup();
            int kk = g.inChannelsPerGroup() * g.kernelH() * g.kernelW();
            if (groups == null || groups.length != g.groups() || outChannelsPerGroup != ocg || depth != kk) {
                groups = VectorConv.packForward(g, w, new float[VectorConv.packedSize(g)]);
                outChannelsPerGroup = ocg;
                depth = kk;
                made++;
                packedByAll.incrementAndGet();
            }
            return groups;
        }

        /** How many times these weights have been packed. */
        synchronized int made() {
            return made;
        }
    }
}
