package dev.fineturn.cpu;

import dev.fineturn.reference.ConvKernels;
import dev.fineturn.spi.ConvGeometry;
import dev.fineturn.spi.Storage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

import static dev.fineturn.cpu.KernelFixtures.CPU;
import static dev.fineturn.cpu.KernelFixtures.assertClose;
import static dev.fineturn.cpu.KernelFixtures.read;
import static dev.fineturn.cpu.KernelFixtures.signed;
import static dev.fineturn.cpu.KernelFixtures.upload;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Convolution paths against the reference on 1, 2 and 3 threads: several images per GEMM (small maps)
 * and one (large maps), the data gradient run as a forward convolution of flipped weights (stride 1,
 * asymmetric padding, dilation, groups) and its fallback (stride 2, padding wider than the kernel),
 * per-thread weight-gradient copies, and depthwise rows wider than one vector.
 */
class CpuConvKernelsTest {
    static List<ConvGeometry> geometries() {
        return List.of(
                // batch, inC, inH, inW, outC, kh, kw, sh, sw, padT, padL, padB, padR, dilH, dilW, groups
                new ConvGeometry(5, 6, 9, 11, 10, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1),
                new ConvGeometry(2, 6, 11, 13, 5, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 1),
                new ConvGeometry(2, 3, 6, 40, 4, 3, 5, 1, 1, 1, 2, 1, 2, 1, 1, 1),
                new ConvGeometry(3, 4, 27, 25, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1),
                // 576 pixels per image: 14 wide slivers and a 16-column narrow panel, both packed as shifted
                // rows of one geometry
                new ConvGeometry(3, 3, 24, 24, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1),
                // 4092 pixels per image: the first 3072 columns' panel is over 512 KB, so it is packed and multiplied
                // sliver by sliver; the remaining 1020 columns' panel is packed whole
                new ConvGeometry(2, 8, 62, 66, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1),
                // small maps whose images are whole vectors (4x4, 8x8): slivers over several images, each vector
                // read from its own image shifted; the first and last vectors' reads leave the array; dilated;
                // grouped
                new ConvGeometry(11, 5, 4, 4, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1),
                new ConvGeometry(6, 4, 8, 8, 9, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 1),
                new ConvGeometry(9, 6, 4, 4, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2),
                new ConvGeometry(3, 8, 13, 17, 12, 3, 5, 1, 1, 0, 2, 2, 1, 2, 1, 2),
                // grouped, stride 1, as wide as its input: the weight gradient's tap-major GEMM per group
                new ConvGeometry(3, 8, 10, 12, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2),
                new ConvGeometry(2, 6, 15, 14, 9, 3, 3, 2, 2, 1, 0, 1, 1, 1, 1, 3),
                // a first layer: 7x7 at stride 2 over 3 channels, 19 output columns, so the stride-2 row runs
                // are read a vector at a time
                new ConvGeometry(2, 3, 21, 37, 4, 7, 7, 2, 2, 3, 3, 3, 3, 1, 1, 1),
                new ConvGeometry(3, 5, 7, 9, 4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1),
                new ConvGeometry(4, 6, 8, 8, 6, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1),
                new ConvGeometry(3, 12, 29, 23, 12, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 12),
                new ConvGeometry(2, 8, 30, 31, 8, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 8),
                new ConvGeometry(2, 4, 19, 21, 4, 5, 5, 1, 1, 4, 4, 4, 4, 2, 2, 4),
                // depthwise 3x3 at stride 1 (the register-accumulated rows): dilated and asymmetrically
                // padded, and narrower than one vector
                new ConvGeometry(2, 5, 17, 26, 5, 3, 3, 1, 1, 2, 0, 1, 3, 2, 1, 5),
                new ConvGeometry(2, 3, 4, 5, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 3),
                // narrower than a vector, dilated and asymmetrically padded: its rows run as one strip
                new ConvGeometry(2, 3, 9, 7, 3, 3, 3, 1, 1, 2, 1, 0, 2, 2, 2, 3),
                // depthwise 3x3 at stride 2 (even/odd column phases): dilated, asymmetric padding, odd sizes,
                // a row narrower than a vector, and rows long enough for several vectors
                new ConvGeometry(2, 3, 13, 10, 3, 3, 3, 2, 2, 2, 1, 1, 2, 2, 1, 3),
                new ConvGeometry(3, 4, 9, 41, 4, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 4),
                // depthwise 3x3 at stride 1 padded wider than the kernel: the data gradient is not a forward
                // convolution, so it takes the multiply-add path
                new ConvGeometry(2, 3, 6, 7, 3, 3, 3, 1, 1, 3, 3, 3, 3, 1, 1, 3),
                // depthwise 3x3 straight from NCHW (DepthwiseLanes): output planes of 1 to 64 pixels, so a vector
                // holds several planes or a plane several vectors; 7 and 5 channels leave a partial group of
                // planes; stride 1 reads shifted runs, stride 2, dilation with valid padding and odd inputs gather
                new ConvGeometry(3, 7, 2, 2, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 7),
                new ConvGeometry(2, 5, 1, 1, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 5),
                new ConvGeometry(3, 6, 4, 4, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 6),
                new ConvGeometry(2, 5, 8, 8, 5, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 5),
                new ConvGeometry(2, 4, 2, 8, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 4),
                new ConvGeometry(3, 5, 7, 7, 5, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 5),
                new ConvGeometry(2, 9, 4, 4, 9, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 9),
                new ConvGeometry(2, 3, 34, 34, 3, 3, 3, 2, 2, 0, 0, 0, 0, 1, 1, 3),
                new ConvGeometry(2, 3, 10, 10, 3, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1, 3),
                // depthwise 3x3 at stride 1 over rows of whole vectors (DepthwiseRows where the tile is 4 x 4): one
                // and two vectors a row, two rows and an odd count of rows
                new ConvGeometry(3, 5, 2, VectorGemm.L, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 5),
                new ConvGeometry(2, 4, 5, 2 * VectorGemm.L, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 4),
                // and at stride 2 onto output rows of one and two vectors, halving the plane
                new ConvGeometry(3, 5, 4, 2 * VectorGemm.L, 5, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 5),
                new ConvGeometry(2, 3, 6, 4 * VectorGemm.L, 3, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 3),
                // stride 2 onto output rows of whole vectors: each tap the even floats of two loads
                new ConvGeometry(5, 5, 6, 32, 5, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 5),
                new ConvGeometry(2, 3, 8, 64, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2, 3),
                // stride 2 onto rows of 8 outputs: on 16 lanes each half of a vector reads its own row
                new ConvGeometry(5, 6, 8, 16, 6, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 6),
                // stride 2 halving the map: ResNet's downsampling 3x3 and its 1x1 shortcut on small maps (gathered
                // through per-tap index vectors, several images per GEMM), and a 3x3 on a 48x48 map, one image per
                // GEMM
                new ConvGeometry(5, 8, 8, 8, 10, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1),
                new ConvGeometry(5, 8, 8, 8, 6, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, 1),
                new ConvGeometry(2, 3, 48, 48, 4, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1),
                // weight gradients over maps of at most 16 output pixels as one product over the batch: 3x3 at stride
                // 1 and 2 with 432 taps (the threads split dw's columns), and a 1x1 kept on runs of image chunks
                new ConvGeometry(5, 48, 4, 4, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1),
                new ConvGeometry(5, 48, 8, 8, 6, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1),
                new ConvGeometry(5, 48, 8, 8, 6, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, 1),
                // 3x3 over maps one vector wide (DirectConv3x3 where the tile is 4 x 4): forward and, with 4 input
                // channels, the data gradient too; 6 rows are no multiple of the tile's 4 and take the GEMM
                new ConvGeometry(3, 5, 8, VectorGemm.L, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1),
                new ConvGeometry(2, 4, 12, VectorGemm.L, 12, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1),
                new ConvGeometry(2, 4, 6, VectorGemm.L, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1),
                // first layers at stride 2 over output rows of two vectors (DirectConvStride2 where the tile is
                // 4 x 4): ResNet's 7x7 and MobileNetV2's 3x3 stems, and 2 channels padded only below and right
                new ConvGeometry(2, 3, 8, 4 * VectorGemm.L, 8, 7, 7, 2, 2, 3, 3, 3, 3, 1, 1, 1),
                new ConvGeometry(3, 3, 8, 4 * VectorGemm.L, 12, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1),
                new ConvGeometry(1, 2, 8, 4 * VectorGemm.L, 4, 3, 3, 2, 2, 0, 0, 1, 1, 1, 1, 1));
    }

    @ParameterizedTest
    @MethodSource("geometries")
    void everyPassMatchesTheReferenceOnOneTwoAndThreeThreads(ConvGeometry g) {
        int xn = g.batch() * g.inChannels() * g.inH() * g.inW();
        int wn = g.outChannels() * g.inChannelsPerGroup() * g.kernelH() * g.kernelW();
        int yn = g.batch() * g.outChannels() * g.outH() * g.outW();
        float[] x = signed(xn, 1);
        float[] w = signed(wn, 2);
        float[] dy = signed(yn, 3);
        float[] y = new float[yn];
        float[] dx = new float[xn];
        float[] dw = new float[wn];
        ConvKernels.forward(g, x, w, y);
        ConvKernels.backwardData(g, dy, w, dx);
        ConvKernels.backwardWeights(g, x, dy, dw);
        int before = CpuPool.threads();
        try {
            for (int threads : new int[]{1, 2, 3}) {
                CpuPool.setThreads(threads);
                Storage sy = CPU.allocate(yn);
                Storage sdx = CPU.allocate(xn);
                Storage sdw = upload(signed(wn, 9));
                CPU.conv2dForward(g, upload(x), upload(w), sy);
                CPU.conv2dBackwardData(g, upload(dy), upload(w), sdx);
                CPU.conv2dBackwardWeights(g, upload(x), upload(dy), sdw);
                String what = g + " on " + threads + " thread(s)";
                assertClose(what + " forward", y, read(sy), 1e-4);
                assertClose(what + " backward data", dx, read(sdx), 1e-4);
                assertClose(what + " backward weights", dw, read(sdw), 1e-4);
                // However the threads share the images out, the weight gradient is summed in one order.
                Storage again = upload(signed(wn, 10));
                CPU.conv2dBackwardWeights(g, upload(x), upload(dy), again);
                assertArrayEquals(read(sdw), read(again), what + ": backward weights differ between two calls");
            }
        } finally {
            CpuPool.setThreads(before);
        }
    }

    @Test
    void dataGradientGeometrySwapsChannelsAndMirrorsThePadding() {
        ConvGeometry g = new ConvGeometry(3, 8, 13, 17, 12, 3, 5, 1, 1, 0, 2, 2, 1, 2, 1, 2);
        ConvGeometry t = VectorConv.dataGradientAsForward(g);
        assertEquals(new ConvGeometry(3, 12, g.outH(), g.outW(), 8, 3, 5, 1, 1, 4, 2, 2, 3, 2, 1, 2), t);
        assertEquals(g.inH(), t.outH());
        assertEquals(g.inW(), t.outW());
        assertNull(VectorConv.dataGradientAsForward(new ConvGeometry(2, 6, 15, 14, 9, 3, 3, 2, 2, 1, 0, 1, 1, 1, 1,
                3)), "stride 2");
        assertNull(VectorConv.dataGradientAsForward(new ConvGeometry(3, 5, 7, 9, 4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
                1)), "padding wider than the kernel's reach");
    }

    @Test
    void flippedWeightsSwapChannelsWithinEachGroupAndReverseTheTaps() {
        ConvGeometry g = new ConvGeometry(1, 4, 5, 5, 6, 1, 2, 1, 1, 0, 1, 0, 0, 1, 1, 2);
        float[] w = new float[6 * 2 * 2];
        for (int i = 0; i < w.length; i++) {
            w[i] = i;
        }
        float[] t = VectorConv.flippedWeights(g, w);
        // w[oc=4 (group 1, oc 1), ic=1, kx=0] = ((4 * 2) + 1) * 2 + 0 = 18 lands at t[c=3 (group 1, ic 1), oc=1, kx=1]
        assertEquals(18f, t[((3 * 3) + 1) * 2 + 1]);
        assertEquals(19f, t[((3 * 3) + 1) * 2]);
        assertEquals(0f, t[1]);
        assertEquals(1f, t[0]);
    }

    @Test
    void flippedRowsPackLikeTheWrittenOutFlippedWeights() {
        // 2 groups of 5 input and 40 output channels, 2x3 taps: an odd row count leaves a half sliver, and
        // 40 x 6 columns span two k blocks, the second starting inside an output channel's taps
        flippedRowsPackLikeFlippedWeights(2, 3, 40, 5, 2);
        // 3x3 taps, each output channel's 18 floats of a sliver permuted with vectors: 67 x 9 columns span two k
        // blocks of 302, the second starting at tap 5 of a channel; 5 rows leave a half sliver, packed scalar
        flippedRowsPackLikeFlippedWeights(3, 3, 67, 5, 2);
        flippedRowsPackLikeFlippedWeights(3, 3, 8, 4, 1);
    }

    private static void flippedRowsPackLikeFlippedWeights(int kh, int kw, int ocg, int icg, int groups) {
        ConvGeometry g = new ConvGeometry(1, icg * groups, 6, 6, ocg * groups, kh, kw, 1, 1, 1, 1, 1, 1, 1, 1,
                groups);
        int khw = kh * kw;
        float[] w = new float[groups * ocg * icg * khw];
        for (int i = 0; i < w.length; i++) {
            w[i] = i + 1;
        }
        float[] flipped = VectorConv.flippedWeights(g, w);
        for (int grp = 0; grp < groups; grp++) {
            PackedA want = VectorGemm.pack(dev.fineturn.spi.GemmSpec.of(icg, 1, ocg * khw, false, false),
                    flipped, grp * icg * ocg * khw);
            PackedA got = VectorGemm.pack(icg, ocg * khw, new FlippedRows(w, grp, ocg, icg, khw));
            org.junit.jupiter.api.Assertions.assertArrayEquals(want.data(), got.data(),
                    kh + "x" + kw + ", " + ocg + " x " + icg + " channels, group " + grp);
        }
    }
}
