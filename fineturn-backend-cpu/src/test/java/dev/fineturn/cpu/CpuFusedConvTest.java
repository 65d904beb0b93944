package dev.fineturn.cpu;

import dev.fineturn.reference.ReferenceBackend;
import dev.fineturn.spi.ConvEpilogue;
import dev.fineturn.spi.ConvGeometry;
import dev.fineturn.spi.Storage;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;

import static dev.fineturn.cpu.KernelFixtures.CPU;
import static dev.fineturn.cpu.KernelFixtures.assertClose;
import static dev.fineturn.cpu.KernelFixtures.read;
import static dev.fineturn.cpu.KernelFixtures.signed;
import static dev.fineturn.cpu.KernelFixtures.upload;

/**
 * The fused inference convolution (bias, residual and activation in the epilogue) against the
 * reference backend's unfused composition (convolution, broadcast add, add, activation), on every
 * forward path: image chunks on small maps (epilogue in the copy out of the GEMM buffer), one GEMM
 * per image on large maps, pointwise, grouped, depthwise 3x3 and 5x5, and a direct first layer; on 1 and 2
 * threads.
 */
class CpuFusedConvTest {
    static List<Object[]> cases() {
        List<ConvGeometry> geometries = List.of(
                // batch, inC, inH, inW, outC, kh, kw, sh, sw, padT, padL, padB, padR, dilH, dilW, groups
                new ConvGeometry(6, 16, 8, 8, 24, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1),
                new ConvGeometry(3, 8, 30, 27, 12, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1),
                // 2x2 and 3x3 maps in image chunks: the chunk's epilogue on planes of four floats, and of nine
                new ConvGeometry(5, 8, 2, 2, 12, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1),
                new ConvGeometry(4, 10, 2, 2, 6, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1),
                new ConvGeometry(3, 8, 2, 2, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2),
                new ConvGeometry(3, 6, 3, 3, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1),
                new ConvGeometry(2, 3, 33, 35, 10, 7, 7, 2, 2, 3, 3, 3, 3, 1, 1, 1),
                new ConvGeometry(4, 12, 9, 9, 20, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1),
                new ConvGeometry(2, 20, 40, 40, 8, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1),
                new ConvGeometry(3, 8, 10, 12, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2),
                new ConvGeometry(3, 12, 17, 19, 12, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 12),
                new ConvGeometry(2, 8, 30, 31, 8, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 8),
                new ConvGeometry(2, 4, 19, 21, 4, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1, 4),
                // depthwise 3x3 straight from NCHW: several planes per vector with a partial group, several
                // vectors per plane, stride 2
                new ConvGeometry(3, 7, 2, 2, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 7),
                new ConvGeometry(2, 6, 16, 16, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 6),
                new ConvGeometry(3, 5, 8, 8, 5, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 5),
                // stride 1 over rows of two vectors, an odd count of them (DepthwiseRows where the tile is 4 x 4)
                new ConvGeometry(2, 4, 5, 2 * VectorGemm.L, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 4),
                new ConvGeometry(2, 4, 6, 4 * VectorGemm.L, 4, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 4),
                // stride 2 onto output rows of whole vectors: each tap the even floats of two loads
                new ConvGeometry(5, 5, 6, 32, 5, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 5),
                new ConvGeometry(2, 3, 8, 64, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2, 3),
                // stride 2 onto rows of 8 outputs: on 16 lanes each half of a vector reads its own row
                new ConvGeometry(5, 6, 8, 16, 6, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 6),
                // a first layer at stride 2 whose output rows are whole vectors (DirectConvStride2 where the
                // tile is 4 x 4)
                new ConvGeometry(2, 3, 8, 4 * VectorGemm.L, 8, 7, 7, 2, 2, 3, 3, 3, 3, 1, 1, 1));
        List<Object[]> out = new ArrayList<>();
        for (ConvGeometry g : geometries) {
            for (ConvEpilogue act : ConvEpilogue.values()) {
                out.add(new Object[]{g, act, true, true});
            }
            out.add(new Object[]{g, ConvEpilogue.RELU, false, true});
            out.add(new Object[]{g, ConvEpilogue.RELU6, true, false});
            out.add(new Object[]{g, ConvEpilogue.NONE, false, false});
        }
        return out;
    }

    @ParameterizedTest
    @MethodSource("cases")
    void fusedMatchesTheUnfusedReferenceComposition(ConvGeometry g, ConvEpilogue act, boolean withBias,
                                                     boolean withResidual) {
        int xn = g.batch() * g.inChannels() * g.inH() * g.inW();
        int wn = g.outChannels() * g.inChannelsPerGroup() * g.kernelH() * g.kernelW();
        int yn = g.batch() * g.outChannels() * g.outH() * g.outW();
        float[] x = signed(xn, 1);
        // Scaled up so that ReLU6 clips a good share of the outputs.
        float[] w = signed(wn, 2);
        for (int i = 0; i < wn; i++) {
            w[i] *= 4f;
        }
        float[] bias = withBias ? signed(g.outChannels(), 3) : null;
        float[] residual = withResidual ? signed(yn, 4) : null;
        ReferenceBackend ref = ReferenceBackend.get();
        Storage expected = ref.allocate(yn);
        ref.conv2dForwardFused(g, ref.upload(x), ref.upload(w), bias == null ? null : ref.upload(bias),
                residual == null ? null : ref.upload(residual), act, expected);
        float[] want = new float[yn];
        ref.read(expected, 0, want, 0, yn);
        int before = CpuPool.threads();
        try {
            for (int threads : new int[]{1, 2}) {
                CpuPool.setThreads(threads);
                Storage y = upload(signed(yn, 9));
                CPU.conv2dForwardFused(g, upload(x), upload(w), bias == null ? null : upload(bias),
                        residual == null ? null : upload(residual), act, y);
                assertClose(g + " " + act + " bias " + withBias + " residual " + withResidual + " on " + threads
                        + " thread(s)", want, read(y), 1e-4);
            }
        } finally {
            CpuPool.setThreads(before);
        }
    }
}
