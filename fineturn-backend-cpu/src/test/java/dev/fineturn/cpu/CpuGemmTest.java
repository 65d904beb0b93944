package dev.fineturn.cpu;

import dev.fineturn.reference.GemmKernels;
import dev.fineturn.spi.GemmSpec;
import dev.fineturn.spi.HostStorage;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * GEMM sizes large enough to cross every blocking boundary (several KC and MC blocks, full and
 * edge micro-tiles) in every transpose variant, against the reference kernel, on 1 and 2 threads.
 */
class CpuGemmTest {
    @ParameterizedTest
    @CsvSource({"197,173,411,false,false,1", "197,173,411,true,false,2", "64,240,192,false,true,2",
            "131,81,385,true,true,1", "1,97,33,false,false,2", "250,3,7,true,false,2",
            // column remainders: 35 on a padded wide tile, 20 on two narrow tiles; 3 and 6 rows leave a lone A sliver
            "6,115,50,false,false,2", "3,100,70,false,true,1", "6,100,70,true,false,2",
            // large enough to split between two threads (the cases above run serially): column strips over two MC
            // blocks with edge tiles, and row strips of a narrow output
            "150,400,300,false,false,2", "130,650,401,true,true,2", "600,40,700,false,true,2",
            // one row block under a B panel too large to pack whole (packed and multiplied sliver by sliver): odd
            // rows, a narrow last sliver, two NC blocks; on two threads, column strips
            "63,3210,300,false,false,1", "64,3210,300,true,true,2", "95,2000,700,false,true,1"})
    void matchesTheReference(int m, int n, int k, boolean ta, boolean tb, int threads) {
        CpuPool.setThreads(threads);
        try {
            SplittableRandom r = new SplittableRandom(m * 31L + n);
            float[] a = new float[m * k + 3];
            float[] b = new float[k * n + 3];
            float[] c = new float[m * n + 3];
            for (float[] v : new float[][]{a, b, c}) {
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (r.nextDouble() * 2 - 1);
                }
            }
            GemmSpec spec = GemmSpec.of(m, n, k, ta, tb);
            float[] expected = c.clone();
            GemmKernels.gemm(spec, 0.5f, a, 3, b, 3, 0.25f, expected, 3);
            CpuBackend be = CpuBackend.get();
            be.gemm(spec, 0.5f, new HostStorage(be, a), 3, new HostStorage(be, b), 3, 0.25f, new HostStorage(be, c), 3);
            for (int i = 0; i < c.length; i++) {
                if (Math.abs(expected[i] - c[i]) > 1e-4 * Math.sqrt(k) + 1e-5) {
                    fail(VectorGemm.TILE + " tiles, element " + i + ": reference " + expected[i] + ", cpu " + c[i]);
                }
            }
        } finally {
            CpuPool.setThreads(Runtime.getRuntime().availableProcessors());
        }
    }

    /**
     * A C of more than 2 M floats, where the 4 x 4 tile takes k blocks of up to 768 (here 2 of 700 instead of 4
     * of 350): edge rows and columns, each transpose of A and B, beta 0 over NaN and beta 0.25; entries sampled
     * across C against sums in double.
     */
    @ParameterizedTest
    @CsvSource({"1030,2050,1400,false,false,0,2", "1030,2050,1400,true,true,0.25,2", "2049,1027,1400,false,true,0,1"})
    void largeProductsMatchSumsInDouble(int m, int n, int k, boolean ta, boolean tb, float beta, int threads) {
        CpuPool.setThreads(threads);
        try {
            SplittableRandom r = new SplittableRandom(m * 7L + k);
            float[] a = new float[m * k];
            float[] b = new float[k * n];
            float[] c = new float[m * n];
            for (float[] v : new float[][]{a, b, c}) {
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (r.nextDouble() * 2 - 1);
                }
            }
            float[] before = c.clone();
            if (beta == 0f) {
                java.util.Arrays.fill(c, Float.NaN);
            }
            VectorGemm.gemm(GemmSpec.of(m, n, k, ta, tb), 0.5f, a, 0, b, 0, beta, c, 0);
            for (int sample = 0; sample < 4000; sample++) {
                // Every row and column edge, then entries spread over C.
                int i = sample < 4 ? (sample % 2 == 0 ? 0 : m - 1) : r.nextInt(m);
                int j = sample < 4 ? (sample < 2 ? 0 : n - 1) : r.nextInt(n);
                double sum = 0;
                for (int p = 0; p < k; p++) {
                    sum += (double) a[ta ? p * m + i : i * k + p] * b[tb ? j * k + p : p * n + j];
                }
                double expected = 0.5 * sum + (beta == 0f ? 0 : beta * (double) before[i * n + j]);
                if (!(Math.abs(expected - c[i * n + j]) <= 1e-4 * Math.sqrt(k) + 1e-5)) {
                    fail(VectorGemm.TILE + " tiles, C[" + i + "][" + j + "]: " + c[i * n + j] + ", in double "
                            + expected);
                }
            }
        } finally {
            CpuPool.setThreads(Runtime.getRuntime().availableProcessors());
        }
    }

    /**
     * beta = 0 ignores what C held, NaN included: the first k block stores its tiles (wide, narrow and
     * the scratch tiles of the edges) rather than adding to C. With k = 0 or alpha = 0, C becomes 0.
     */
    @ParameterizedTest
    @CsvSource({"197,173,800,1", "131,81,385,2", "6,115,50,2", "3,100,70,1", "250,3,7,2"})
    void betaZeroOverwritesWhateverCHeld(int m, int n, int k, int threads) {
        CpuPool.setThreads(threads);
        try {
            SplittableRandom r = new SplittableRandom(m * 13L + k);
            float[] a = new float[m * k];
            float[] b = new float[k * n];
            for (float[] v : new float[][]{a, b}) {
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (r.nextDouble() * 2 - 1);
                }
            }
            GemmSpec spec = GemmSpec.of(m, n, k, false, false);
            float[] expected = new float[m * n];
            GemmKernels.gemm(spec, 0.75f, a, 0, b, 0, 0f, expected, 0);
            float[] c = new float[m * n];
            java.util.Arrays.fill(c, Float.NaN);
            VectorGemm.gemm(spec, 0.75f, a, 0, b, 0, 0f, c, 0);
            for (int i = 0; i < c.length; i++) {
                if (!(Math.abs(expected[i] - c[i]) <= 1e-4 * Math.sqrt(k) + 1e-5)) {
                    fail(VectorGemm.TILE + " tiles, element " + i + ": reference " + expected[i] + ", cpu " + c[i]);
                }
            }
            java.util.Arrays.fill(c, Float.NaN);
            VectorGemm.gemm(spec, 0f, a, 0, b, 0, 0f, c, 0);
            assertArrayEquals(new float[m * n], c, "alpha = 0, beta = 0");
            java.util.Arrays.fill(c, Float.NaN);
            VectorGemm.gemm(GemmSpec.of(m, n, 0, false, false), 1f, a, 0, b, 0, 0f, c, 0);
            assertArrayEquals(new float[m * n], c, "k = 0, beta = 0");
        } finally {
            CpuPool.setThreads(Runtime.getRuntime().availableProcessors());
        }
    }

    /** A packed once and reused: several k blocks and row blocks, wide and narrow tiles, both layouts of A. */
    @ParameterizedTest
    @CsvSource({"197,173,411,false", "131,90,385,true", "64,33,200,false", "7,50,13,true",
            // large enough that the packing itself is split between threads; wide and narrow outputs
            "301,90,1000,false", "290,100,950,true", "333,40,800,false"})
    void prepackedAMatchesTheReference(int m, int n, int k, boolean ta) {
        SplittableRandom r = new SplittableRandom(m * 17L + k);
        float[] a = new float[m * k + 5];
        float[] b = new float[k * n];
        for (float[] v : new float[][]{a, b}) {
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (r.nextDouble() * 2 - 1);
            }
        }
        GemmSpec spec = GemmSpec.of(m, n, k, ta, false);
        for (int threads : new int[]{1, 2}) {
            CpuPool.setThreads(threads);
            try {
                PackedA packed = VectorGemm.pack(spec, a, 5);
                assertPackedProductMatches(spec, a, b, packed, threads);
                // The same packing serves a product of another width (a convolution's last, smaller chunk).
                assertPackedProductMatches(GemmSpec.of(m, Math.max(1, n / 3), k, ta, false), a, b, packed, threads);
                // Packed into a reused buffer at an offset: every float of the pack is written (NaN left
                // anywhere, a padding row included, would reach C).
                float[] reused = new float[PackedA.size(m, k) + 11];
                java.util.Arrays.fill(reused, Float.NaN);
                PackedA inPlace = VectorGemm.pack(m, k,
                        new RowSource.Matrix(a, 5, m, k, ta), reused, 7);
                assertPackedProductMatches(spec, a, b, inPlace, threads);
            } finally {
                CpuPool.setThreads(Runtime.getRuntime().availableProcessors());
            }
        }
    }

    /**
     * A row-major A read unpacked (a convolution's weights on the 4 x 4 tile): row counts off the tile's 4, outputs
     * that are whole tiles, a padded last tile, and a narrow remainder (which packs A instead), several k blocks,
     * a panel multiplied sliver by sliver; on the 2 x 5 tile every product packs A.
     */
    @ParameterizedTest
    @CsvSource({"128,128,1152", "64,256,576", "6,192,70", "3,100,50", "131,90,385", "65,140,800", "7,3210,300",
            "256,64,2304", "250,130,411"})
    void unpackedRowsMatchTheReference(int m, int n, int k) {
        SplittableRandom r = new SplittableRandom(m * 7L + n);
        float[] a = new float[m * k + 5];
        float[] b = new float[k * n];
        for (float[] v : new float[][]{a, b}) {
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (r.nextDouble() * 2 - 1);
            }
        }
        GemmSpec spec = GemmSpec.of(m, n, k, false, false);
        for (int threads : new int[]{1, 2}) {
            CpuPool.setThreads(threads);
            try {
                assertPackedProductMatches(spec, a, b, PackedA.unpackedRows(a, 5, m, k), threads);
            } finally {
                CpuPool.setThreads(Runtime.getRuntime().availableProcessors());
            }
        }
    }

    /** alpha = 1.5 times op(A) (from a[5]) times B, through the packed A, against the reference kernel. */
    private static void assertPackedProductMatches(GemmSpec spec, float[] a, float[] b, PackedA packed,
                                                   int threads) {
        float[] expected = new float[spec.m() * spec.n()];
        float[] c = new float[spec.m() * spec.n()];
        GemmKernels.gemm(spec, 1.5f, a, 5, b, 0, 0f, expected, 0);
        VectorGemm.gemm(spec, 1.5f, packed, b, 0, 0f, c, 0);
        for (int i = 0; i < c.length; i++) {
            if (Math.abs(expected[i] - c[i]) > 1e-4 * Math.sqrt(spec.k()) + 1e-5) {
                fail(spec + " on " + threads + " threads, element " + i + ": reference " + expected[i] + ", cpu "
                        + c[i]);
            }
        }
    }

    /** The surefire executions that test each main tile get the tile they ask for. */
    @org.junit.jupiter.api.Test
    void theTilePropertySelectsTheMainTile() {
        String asked = System.getProperty("fineturn.cpu.gemmTile");
        org.junit.jupiter.api.Assertions.assertEquals(asked != null ? asked
                : VectorGemm.SPECIES.vectorBitSize() >= 512 ? "4x4" : "2x5", VectorGemm.TILE);
        org.junit.jupiter.api.Assertions.assertEquals(VectorGemm.TILE.equals("4x4") ? 4 * VectorGemm.L
                : 5 * VectorGemm.L, VectorGemm.NR);
    }

    @org.junit.jupiter.api.Test
    void prepackedARejectsAProductItDoesNotFit() {
        PackedA packed = VectorGemm.pack(GemmSpec.of(8, 100, 9, false, false), new float[72], 0);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> VectorGemm.gemm(GemmSpec.of(8, 100, 10, false, false), 1f, packed, new float[1000], 0, 0f,
                        new float[800], 0));
    }
}
