package dev.fineturn.cpu;

import dev.fineturn.spi.ConvGeometry;
import dev.fineturn.spi.Storage;

import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Storages declared constant ({@link CpuBackend#markConstant}), each with the form of the convolution weights it
 * holds that a fused forward has read (packed for the GEMM, or interleaved for a direct convolution): made on first
 * use instead of on every call. The storages are held weakly, so a form goes with its weights.
 */
final class ConstantWeights {
    private final Map<Storage, Packs> marked = new WeakHashMap<>();
    private final AtomicLong packed = new AtomicLong();

    synchronized void mark(Storage s) {
        marked.putIfAbsent(s, new Packs(packed));
    }

    /** How many times constant weights have been packed or interleaved, all storages together. */
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

    /** One constant storage's weights packed for the GEMM, per group, and interleaved, for the last shapes read. */
    static final class Packs {
        private PackedA[] groups;
        private int outChannelsPerGroup;
        private int depth;
        private float[] interleaved;
        private int interleavedChannels;
        private int interleavedDepth;
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

        /**
         * The weights {@code w} of a direct convolution {@code g} ({@link DirectConv3x3}, {@link DirectConvStride2})
         * interleaved by four output channels, made when this is the first call for g's weight shape.
         */
        synchronized float[] interleaved(ConvGeometry g, float[] w) {
            int kk = g.inChannels() * g.kernelH() * g.kernelW();
            if (interleaved == null || interleavedChannels != g.outChannels() || interleavedDepth != kk) {
                interleaved = DirectConv3x3.interleave(w, g.outChannels(), kk, new float[g.outChannels() * kk]);
                interleavedChannels = g.outChannels();
                interleavedDepth = kk;
                made++;
                packedByAll.incrementAndGet();
            }
            return interleaved;
        }

        /** How many times these weights have been packed or interleaved. */
        synchronized int made() {
            return made;
        }
    }
}
