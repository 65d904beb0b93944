package dev.fineturn.cpu;

import dev.fineturn.spi.ConvGeometry;
import dev.fineturn.spi.GemmSpec;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Convolution as a packed GEMM over the im2col view of the images ({@link Im2colPanels}: gathered
 * sliver by sliver as the GEMM packs, never written out), per image and group, or per chunk of images
 * on small feature maps so the weights are packed once. Depthwise convolution runs as direct loops
 * over channel planes ({@link Depthwise3x3} for the 3x3 kernels at stride 1 and 2, {@link DepthwiseGeneric}
 * for the others): a GEMM with k = kh*kw would waste the micro-kernel.
 */
final class VectorConv {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ThreadLocal<float[]> COL = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<float[]> PACKED_WEIGHTS = ThreadLocal.withInitial(() -> new float[0]);

    private VectorConv() {
    }

    private static float[] col(int size) {
        return grown(COL, size);
    }

    /** The calling thread's buffer of {@code buffer}, grown to at least {@code size} floats. */
    static float[] grown(ThreadLocal<float[]> buffer, int size) {
        float[] b = buffer.get();
        if (b.length < size) {
            b = new float[size];
            buffer.set(b);
        }
        return b;
    }

    private static boolean isPointwise(ConvGeometry g) {
        return g.kernelH() == 1 && g.kernelW() == 1 && g.strideH() == 1 && g.strideW() == 1 && g.padTop() == 0
                && g.padLeft() == 0 && g.padBottom() == 0 && g.padRight() == 0;
    }

    private static boolean isDepthwise(ConvGeometry g) {
        return g.inChannelsPerGroup() == 1 && g.outChannelsPerGroup() == 1 && g.groups() > 1;
    }

    /** Below this many output pixels per image, images are batched into one GEMM (the weights pack once). */
    private static final int BATCH_COLUMNS = 512;
    private static final ThreadLocal<float[]> TMP = ThreadLocal.withInitial(() -> new float[0]);

    private static float[] tmp(int size) {
        return grown(TMP, size);
    }

    private static int chunk(ConvGeometry g) {
        int ohw = g.outH() * g.outW();
        return Math.max(1, Math.min(g.batch(), (BATCH_COLUMNS + ohw - 1) / ohw));
    }

    /**
     * Floats of im2col per chunk: 256 KB, half of a Zen 3 core's L2, or 1 MB where the CPU has AVX-512 (Zen 4 and
     * Xeons since Skylake-SP have 1-2 MB of L2 per core). The k blocks of a chunk's GEMM read only part of it at a
     * time; on Zen 4 the larger chunks (four 8x8 images instead of two) took 3% off the full ResNet-18 step and
     * 5% off the weight gradient of an 8x8, 128-channel layer.
     */
    private static final int COL_FLOATS = S.vectorBitSize() >= 512 ? 1 << 18 : 1 << 16;

    /**
     * Image chunks per GEMM on small maps: enough columns for the wide micro-kernel, otherwise as few
     * images per chunk as keep its im2col columns near {@link #COL_FLOATS}; at least one chunk per
     * thread, and a count the threads divide where there are only a few. The images are spread
     * evenly over the chunks ({@link #chunkStart}), so no thread ends on a short last chunk.
     */
    private static int cacheChunks(ConvGeometry g) {
        int ohw = g.outH() * g.outW();
        int kk = g.inChannelsPerGroup() * g.kernelH() * g.kernelW();
        int columns = Math.max(2 * VectorGemm.NR, COL_FLOATS / kk);
        int threads = CpuPool.threads();
        int images = Math.max(1, Math.min(chunk(g), (columns + ohw - 1) / ohw));
        images = Math.min(images, (g.batch() + threads - 1) / threads);
        int chunks = (g.batch() + images - 1) / images;
        if (chunks % threads != 0 && chunks < 4 * threads && chunks > threads) {
            // Fewer, larger chunks, so the columns stay at least as wide as before.
            chunks = chunks / threads * threads;
        }
        return chunks;
    }

    /** The first image of chunk {@code ci} of {@code chunks} over {@code batch} images. */
    private static int chunkStart(int ci, int chunks, int batch) {
        return (int) ((long) ci * batch / chunks);
    }

    /** Image chunks run in parallel, each a GEMM on the calling thread into its own output buffer. */
    private static void forwardBatched(ConvGeometry g, float[] x, PackedA[] weights, float[] y,
                                       ConvEpilogueKernel epilogue) {
        int ohw = g.outH() * g.outW();
        int kk = g.inChannelsPerGroup() * g.kernelH() * g.kernelW();
        int ocg = g.outChannelsPerGroup();
        int chunks = cacheChunks(g);
        CpuPool.parallelFor(chunks, ci -> {
            int n0 = chunkStart(ci, chunks, g.batch());
            int cn = chunkStart(ci + 1, chunks, g.batch()) - n0;
            int width = cn * ohw;
            for (int grp = 0; grp < g.groups(); grp++) {
                float[] out = tmp(ocg * width);
                VectorGemm.gemm(GemmSpec.of(ocg, width, kk, false, false), 1f, weights[grp],
                        new Im2colPanels(g, x, n0, grp, false), 0f, out, 0);
                int dst = (n0 * g.outChannels() + grp * ocg) * ohw;
                if (epilogue == null) {
                    for (int i = 0; i < cn; i++) {
                        for (int oc = 0; oc < ocg; oc++) {
                            System.arraycopy(out, oc * width + i * ohw, y, dst + i * g.outChannels() * ohw + oc * ohw,
                                    ohw);
                        }
                    }
                } else {
                    epilogue.applyChunk(out, 0, width, cn, ocg, ohw, y, dst, g.outChannels() * ohw, grp * ocg);
                }
            }
        });
    }

    private static float[] gatherDy(ConvGeometry g, float[] dy, int n0, int cn, int grp) {
        int ohw = g.outH() * g.outW();
        int ocg = g.outChannelsPerGroup();
        int width = cn * ohw;
        float[] d = tmp(ocg * width);
        for (int i = 0; i < cn; i++) {
            for (int oc = 0; oc < ocg; oc++) {
                System.arraycopy(dy, ((n0 + i) * g.outChannels() + grp * ocg + oc) * ohw, d, oc * width + i * ohw,
                        ohw);
            }
        }
        return d;
    }

    /**
     * The data gradient where it is not a forward convolution (stride > 1): image chunks run in
     * parallel, each a GEMM into its thread's column buffer, then col2im into its own images.
     */
    private static void backwardDataStrided(ConvGeometry g, float[] dy, float[] w, float[] dx) {
        int ohw = g.outH() * g.outW();
        int kk = g.inChannelsPerGroup() * g.kernelH() * g.kernelW();
        int ocg = g.outChannelsPerGroup();
        int icg = g.inChannelsPerGroup();
        int chunks = cacheChunks(g);
        int image = g.inChannels() * g.inH() * g.inW();
        CpuPool.parallelFor(chunks, ci -> {
            int n0 = chunkStart(ci, chunks, g.batch());
            int cn = chunkStart(ci + 1, chunks, g.batch()) - n0;
            int width = cn * ohw;
            zero(dx, n0 * image, (n0 + cn) * image);
            for (int grp = 0; grp < g.groups(); grp++) {
                float[] d = gatherDy(g, dy, n0, cn, grp);
                float[] cols = col(kk * width);
                VectorGemm.gemm(GemmSpec.of(kk, width, ocg, true, false), 1f, w, grp * ocg * kk, d, 0, 0f, cols, 0);
                for (int i = 0; i < cn; i++) {
                    col2im(g, cols, dx, ((n0 + i) * g.inChannels() + grp * icg) * g.inH() * g.inW(), i * ohw, width);
                }
            }
        });
    }

    static void forward(ConvGeometry g, float[] x, float[] w, float[] y) {
        forward(g, x, w, y, null);
    }

    static void forward(ConvGeometry g, float[] x, float[] w, float[] y, ConvEpilogueKernel epilogue) {
        forward(g, x, w, y, epilogue, null);
    }

    /**
     * The forward convolution, with {@code epilogue} (null: none) applied to each output plane while in cache;
     * {@code constant} (null: none) holds w packed once where w does not change.
     */
    static void forward(ConvGeometry g, float[] x, float[] w, float[] y, ConvEpilogueKernel epilogue,
                        ConstantWeights.Packs constant) {
        if (isDepthwise(g) && DepthwiseRows.applies(g)) {
            DepthwiseRows.forward(g, x, w, y, epilogue);
            return;
        }
        if (isDepthwise(g) && DepthwiseLanes.applies(g)) {
            DepthwiseLanes.forward(g, x, w, y, epilogue);
            return;
        }
        if (isDepthwise(g)) {
            int ohw = g.outH() * g.outW();
            boolean direct = Depthwise3x3.applies(g);
            CpuPool.parallelFor(g.batch() * g.inChannels(), plane -> {
                if (direct) {
                    Depthwise3x3.forward(g, plane, x, w, y);
                } else {
                    DepthwiseGeneric.forward(g, plane, x, w, y);
                }
                if (epilogue != null) {
                    epilogue.apply(y, plane * ohw, y, plane * ohw, ohw, plane % g.outChannels());
                }
            });
            return;
        }
        if (DirectConv3x3.applies(g)) {
            DirectConv3x3.forwardInterleaved(g, x, interleaved(g, w, constant), y, epilogue);
            return;
        }
        if (DirectConvStride2.applies(g)) {
            DirectConvStride2.forwardInterleaved(g, x, interleaved(g, w, constant), y, epilogue);
            return;
        }
        int ocg = g.outChannelsPerGroup();
        int kk = g.inChannelsPerGroup() * g.kernelH() * g.kernelW();
        if (constant != null) {
            forwardGemm(g, x, constant.packed(g, w), y, epilogue);
            return;
        }
        if (VectorGemm.readsUnpackedRows()) {
            PackedA[] rows = new PackedA[g.groups()];
            for (int grp = 0; grp < g.groups(); grp++) {
                rows[grp] = PackedA.unpackedRows(w, grp * ocg * kk, ocg, kk);
            }
            forwardGemm(g, x, rows, y, epilogue);
            return;
        }
        forwardGemm(g, x, packForward(g, w, grown(PACKED_WEIGHTS, packedSize(g))), y, epilogue);
    }

    /** The weights of a direct convolution interleaved by four output channels: kept where they are constant. */
    private static float[] interleaved(ConvGeometry g, float[] w, ConstantWeights.Packs constant) {
        return constant != null ? constant.interleaved(g, w)
                : DirectConv3x3.interleaved(w, g.outChannels(), g.inChannels() * g.kernelH() * g.kernelW());
    }

    /** Floats that the weights of {@code g} take packed, every group's. */
    static int packedSize(ConvGeometry g) {
        return g.groups() * PackedA.size(g.outChannelsPerGroup(), g.inChannelsPerGroup() * g.kernelH() * g.kernelW());
    }

    /** The forward weights {@code w} of each group, packed into {@code buffer} ({@link #packedSize} floats). */
    static PackedA[] packForward(ConvGeometry g, float[] w, float[] buffer) {
        int ocg = g.outChannelsPerGroup();
        int kk = g.inChannelsPerGroup() * g.kernelH() * g.kernelW();
        return packWeights(g, grp -> new RowSource.Matrix(w, grp * ocg * kk, ocg, kk, false), buffer);
    }

    /**
     * Every image and chunk multiplies the same weights: each group's are packed once per call, into
     * {@code buffer}: the calling thread's (a new array per call was a third of what a ResNet-18 forward
     * allocated), whose packs live until this thread's next convolution call, or a constant weight's own.
     */
    private static PackedA[] packWeights(ConvGeometry g, java.util.function.IntFunction<RowSource> group,
                                         float[] buffer) {
        int kk = g.inChannelsPerGroup() * g.kernelH() * g.kernelW();
        int size = PackedA.size(g.outChannelsPerGroup(), kk);
        PackedA[] packed = new PackedA[g.groups()];
        for (int grp = 0; grp < g.groups(); grp++) {
            packed[grp] = VectorGemm.pack(g.outChannelsPerGroup(), kk, group.apply(grp), buffer, grp * size);
        }
        return packed;
    }

    /** A convolution as packed GEMMs: per chunk of images on small maps, per image otherwise. */
    private static void forwardGemm(ConvGeometry g, float[] x, PackedA[] weights, float[] y,
                                    ConvEpilogueKernel epilogue) {
        if (chunk(g) > 1) {
            forwardBatched(g, x, weights, y, epilogue);
            return;
        }
        int ohw = g.outH() * g.outW();
        int kk = g.inChannelsPerGroup() * g.kernelH() * g.kernelW();
        int ocg = g.outChannelsPerGroup();
        boolean parallelImages = g.batch() >= CpuPool.threads() && CpuPool.threads() > 1;
        GemmSpec spec = GemmSpec.of(ocg, ohw, kk, false, false);
        java.util.function.IntConsumer perImage = n -> {
            for (int grp = 0; grp < g.groups(); grp++) {
                PanelSource cols = isPointwise(g)
                        ? new PanelSource.Matrix(x, (n * g.inChannels() + grp * g.inChannelsPerGroup()) * g.inH()
                                * g.inW(), kk, ohw, false)
                        : new Im2colPanels(g, x, n, grp, false);
                int c0 = (n * g.outChannels() + grp * ocg) * ohw;
                VectorGemm.gemm(spec, 1f, weights[grp], cols, 0f, y, c0);
                if (epilogue != null) {
                    for (int oc = 0; oc < ocg; oc++) {
                        epilogue.apply(y, c0 + oc * ohw, y, c0 + oc * ohw, ohw, grp * ocg + oc);
                    }
                }
            }
        };
        if (parallelImages) {
            CpuPool.parallelFor(g.batch(), perImage);
        } else {
            for (int n = 0; n < g.batch(); n++) {
                perImage.accept(n);
            }
        }
    }

    static void backwardData(ConvGeometry g, float[] dy, float[] w, float[] dx) {
        if (isDepthwise(g)) {
            ConvGeometry t = dataGradientAsForward(g);
            if (t != null && DepthwiseRows.applies(t)) {
                DepthwiseRows.forward(t, dy, flippedWeights(g, w), dx, null);
            } else if (t != null && DepthwiseLanes.applies(t)) {
                DepthwiseLanes.forward(t, dy, flippedWeights(g, w), dx, null);
            } else if (t != null && Depthwise3x3.applies(t)) {
                float[] flipped = flippedWeights(g, w);
                CpuPool.parallelFor(g.batch() * g.inChannels(), plane -> Depthwise3x3.forward(t, plane, dy, flipped,
                        dx));
            } else if (Depthwise3x3.applies(g)) {
                CpuPool.parallelFor(g.batch() * g.inChannels(), plane -> Depthwise3x3.backwardData(g, plane, dy, w,
                        dx));
            } else {
                CpuPool.parallelFor(g.batch() * g.inChannels(),
                        plane -> DepthwiseGeneric.backwardData(g, plane, dy, w, dx));
            }
            return;
        }
        ConvGeometry t = dataGradientAsForward(g);
        if (t != null && DirectConv3x3.applies(t)) {
            DirectConv3x3.forward(t, dy, flippedWeights(g, w), dx, null);
            return;
        }
        if (t != null) {
            int khw = g.kernelH() * g.kernelW();
            forwardGemm(t, dy, packWeights(t, grp -> new FlippedRows(w, grp, g.outChannelsPerGroup(),
                    g.inChannelsPerGroup(), khw), grown(PACKED_WEIGHTS, packedSize(t))), dx, null);
        } else {
            backwardDataStrided(g, dy, w, dx);
        }
    }

    /**
     * With stride 1 the data gradient is a forward convolution of dy with the weights flipped and
     * in/out channels swapped, padded by dilation * (k - 1) - pad: it then runs on the forward path
     * (contiguous im2col, no col2im scatter). Null where that padding would be negative.
     */
    static ConvGeometry dataGradientAsForward(ConvGeometry g) {
        if (g.strideH() != 1 || g.strideW() != 1) {
            return null;
        }
        int spanH = g.dilationH() * (g.kernelH() - 1);
        int spanW = g.dilationW() * (g.kernelW() - 1);
        int pt = spanH - g.padTop();
        int pb = spanH - g.padBottom();
        int pl = spanW - g.padLeft();
        int pr = spanW - g.padRight();
        if (pt < 0 || pb < 0 || pl < 0 || pr < 0) {
            return null;
        }
        return new ConvGeometry(g.batch(), g.outChannels(), g.outH(), g.outW(), g.inChannels(), g.kernelH(),
                g.kernelW(), 1, 1, pt, pl, pb, pr, g.dilationH(), g.dilationW(), g.groups());
    }

    /**
     * w'[grp*icg + ic, oc, kh-1-ky, kw-1-kx] = w[grp*ocg + oc, ic, ky, kx], written out for the
     * depthwise data gradient; GEMM convolutions pack it straight from w ({@link FlippedRows}).
     */
    static float[] flippedWeights(ConvGeometry g, float[] w) {
        int icg = g.inChannelsPerGroup();
        int ocg = g.outChannelsPerGroup();
        int khw = g.kernelH() * g.kernelW();
        float[] t = new float[g.outChannels() * icg * khw];
        for (int grp = 0; grp < g.groups(); grp++) {
            for (int oc = 0; oc < ocg; oc++) {
                for (int ic = 0; ic < icg; ic++) {
                    int src = ((grp * ocg + oc) * icg + ic) * khw;
                    int dst = ((grp * icg + ic) * ocg + oc) * khw;
                    for (int r = 0; r < khw; r++) {
                        t[dst + khw - 1 - r] = w[src + r];
                    }
                }
            }
        }
        return t;
    }

    private static final ThreadLocal<float[]> WEIGHT_PARTIAL = ThreadLocal.withInitial(() -> new float[0]);

    /**
     * dw = sum over images of dy[n] im2col(x[n])^T, over runs of image chunks that the threads take as
     * they free up (a thread the host stalls does not hold the others back). Each run has its own copy of
     * dw, so the sums, and so training, come out the same on every call. On small maps one product over the
     * whole batch instead ({@link #wholeBatchWeights}), each element of dw summed by one thread in k order.
     */
    static void backwardWeights(ConvGeometry g, float[] x, float[] dy, float[] dw) {
        if (isDepthwise(g)) {
            if (Depthwise3x3.applies(g)) {
                CpuPool.parallelFor(g.inChannels(), c -> Depthwise3x3.backwardWeights(g, c, x, dy, dw));
            } else {
                CpuPool.parallelFor(g.inChannels(), c -> DepthwiseGeneric.backwardWeights(g, c, x, dy, dw));
            }
            return;
        }
        int icg = g.inChannelsPerGroup();
        int khw = g.kernelH() * g.kernelW();
        int ohw = g.outH() * g.outW();
        int kk = icg * khw;
        int ocg = g.outChannelsPerGroup();
        int chunks = cacheChunks(g);
        int weights = g.outChannels() * kk;
        // Stride-1 layers read a transposed, padded copy of the images, and their dW comes out [oc][tap][ic].
        boolean tapMajor = PaddedTapPanels.applies(g);
        if (!tapMajor && wholeBatchWeights(g)) {
            for (int grp = 0; grp < g.groups(); grp++) {
                VectorGemm.gemm(GemmSpec.of(ocg, kk, g.batch() * ohw, false, true), 1f,
                        gatherDy(g, dy, 0, g.batch(), grp), 0, new Im2colPanels(g, x, 0, grp, true), 0f, dw,
                        grp * ocg * kk);
            }
            return;
        }
        // Runs of consecutive chunks, each summed in chunk order into its own copy of dw (the first into dw
        // itself unless its taps come out first), the copies then added in run order: the threads take runs as
        // they free up, and the result does not depend on which thread took which run.
        int runs = weightRuns(chunks, weights);
        int intoDw = tapMajor ? 0 : 1;
        float[] partial = runs > intoDw ? weightPartial((runs - intoDw) * weights) : null;
        CpuPool.parallelFor(runs, run -> {
            float[] out = run < intoDw ? dw : partial;
            int outOff = run < intoDw ? 0 : (run - intoDw) * weights;
            for (int ci = chunks * run / runs; ci < chunks * (run + 1) / runs; ci++) {
                boolean first = ci == chunks * run / runs;
                int n0 = chunkStart(ci, chunks, g.batch());
                int cn = chunkStart(ci + 1, chunks, g.batch()) - n0;
                int width = cn * ohw;
                for (int grp = 0; grp < g.groups(); grp++) {
                    PanelSource cols = tapMajor ? new PaddedTapPanels(g, x, n0, cn, grp)
                            : cn == 1 && isPointwise(g)
                            ? new PanelSource.Matrix(x, (n0 * g.inChannels() + grp * icg) * g.inH() * g.inW(),
                                    width, kk, true)
                            : new Im2colPanels(g, x, n0, grp, true);
                    float[] d = dy;
                    int dOff = (n0 * g.outChannels() + grp * ocg) * ohw;
                    if (cn > 1) {
                        d = gatherDy(g, dy, n0, cn, grp);
                        dOff = 0;
                    }
                    VectorGemm.gemm(GemmSpec.of(ocg, kk, width, false, true), 1f, d, dOff, cols, first ? 0f : 1f, out,
                            outOff + grp * ocg * kk);
                }
            }
        });
        if (tapMajor) {
            int channels = g.outChannels();
            int parts = Math.max(1, Math.min(channels, 4 * CpuPool.threads()));
            CpuPool.parallelFor(parts, part -> {
                for (int oc = channels * part / parts; oc < channels * (part + 1) / parts; oc++) {
                    for (int tap = 0; tap < khw; tap++) {
                        for (int c = 0; c < icg; c++) {
                            int at = oc * kk + tap * icg + c;
                            float sum = partial[at];
                            for (int run = 1; run < runs; run++) {
                                sum += partial[run * weights + at];
                            }
                            dw[oc * kk + c * khw + tap] = sum;
                        }
                    }
                }
            });
        } else if (runs > 1) {
            int ranges = Math.max(1, Math.min(4 * CpuPool.threads(), weights / (1 << 14)));
            CpuPool.parallelFor(ranges, r -> {
                int from = (int) ((long) weights * r / ranges);
                int to = (int) ((long) weights * (r + 1) / ranges);
                for (int run = 1; run < runs; run++) {
                    VectorElementwise.addInto(partial, (run - 1) * weights + from, dw, from, to - from);
                }
            });
        }
    }

    /** Runs of image chunks for the weight gradient: up to 4 per thread, their copies of dW within {@link #PARTIAL_FLOATS}. */
    private static int weightRuns(int chunks, int weights) {
        return Math.max(1, Math.min(chunks, Math.min(4 * CpuPool.threads(),
                Math.max(CpuPool.threads(), PARTIAL_FLOATS / weights))));
    }

    /**
     * Whether the weight gradient is one product over the whole batch (k every image's pixels) rather than runs of
     * image chunks: on maps of at most 16 output pixels (ResNet's 4x4 and 2x2 stages), for kernels larger than 1x1
     * with taps enough for the threads to split dw's columns, each packing only its own. Then no copies of dw are
     * added up afterwards; the 3x3 layers' weight gradients took 0.88-0.95 of their time. On 8x8 maps it was
     * slower (1.13), as it was for 1x1 kernels (1.10-1.35), whose few taps leave the threads splitting rows and
     * each packing all of B.
     */
    private static boolean wholeBatchWeights(ConvGeometry g) {
        int kk = g.inChannelsPerGroup() * g.kernelH() * g.kernelW();
        return g.outH() * g.outW() <= 16 && g.kernelH() * g.kernelW() > 1
                && kk >= 2 * CpuPool.threads() * VectorGemm.NR;
    }

    /** Floats the weight gradient's per-run copies of dw may take, beyond one per thread. */
    private static final int PARTIAL_FLOATS = 1 << 22;

    private static float[] weightPartial(int size) {
        return grown(WEIGHT_PARTIAL, size);
    }

    /** Zeroes [from, to): a loop for the few-element runs of small feature maps, where a fill call costs more. */
    private static void zero(float[] a, int from, int to) {
        if (to - from >= 32) {
            java.util.Arrays.fill(a, from, to, 0f);
            return;
        }
        for (int i = from; i < to; i++) {
            a[i] = 0f;
        }
    }

    private static void col2im(ConvGeometry g, float[] col, float[] dx, int dxOff, int colOff, int ld) {
        int oh = g.outH();
        int ow = g.outW();
        int row = 0;
        for (int ic = 0; ic < g.inChannelsPerGroup(); ic++) {
            int plane = dxOff + ic * g.inH() * g.inW();
            for (int ky = 0; ky < g.kernelH(); ky++) {
                for (int kx = 0; kx < g.kernelW(); kx++, row++) {
                    int base = colOff + row * ld;
                    for (int oy = 0; oy < oh; oy++) {
                        int iy = oy * g.strideH() - g.padTop() + ky * g.dilationH();
                        if (iy < 0 || iy >= g.inH()) {
                            continue;
                        }
                        int o = base + oy * ow;
                        int sw = g.strideW();
                        int ix0 = -g.padLeft() + kx * g.dilationW();
                        int lo = Math.min(ow, Math.max(0, ceilDiv(-ix0, sw)));
                        int hi = Math.max(lo, Math.min(ow, ceilDiv(g.inW() - ix0, sw)));
                        for (int ox = lo, ix = plane + iy * g.inW() + ix0 + lo * sw; ox < hi; ox++, ix += sw) {
                            dx[ix] += col[o + ox];
                        }
                    }
                }
            }
        }
    }

    private static int ceilDiv(int a, int b) {
        return Math.floorDiv(a + b - 1, b);
    }
}
