package dev.fineturn.cuda;

/**
 * The two output tiles of the tiled GEMM in kernels.cu ({@code tiled_gemm<BM, BN, BK>}), each
 * computed by a block of 256 threads: 128 x 128 with 8 x 8 outputs per thread for large products,
 * 64 x 64 with 4 x 4 per thread where large tiles would be mostly empty or too few to fill the
 * device. The GEMM and the three implicit-GEMM convolutions come in both sizes; the kernel name
 * ends in the tile's suffix.
 */
enum GemmTile {
    LARGE(128, 128, 8, "_large"),
    SMALL(64, 64, 16, "_small");

    /** Large tiles only pay off when there are at least this many of them (about one per SM). */
    static final long LARGE_MIN_BLOCKS = 96;
    static final int THREADS = 256;

    final int rows;
    final int cols;
    final int depth;
    final String suffix;

    GemmTile(int rows, int cols, int depth, String suffix) {
        this.rows = rows;
        this.cols = cols;
        this.depth = depth;
        this.suffix = suffix;
    }

    /** The tile for a rows x cols output, {@code batch} times. */
    static GemmTile choose(long rows, long cols, long batch) {
        if (rows <= SMALL.rows || cols <= SMALL.cols) {
            return SMALL;
        }
        return LARGE.blocks(rows, cols) * batch >= LARGE_MIN_BLOCKS ? LARGE : SMALL;
    }

    /** Tiles covering a rows x cols output. */
    long blocks(long rows, long cols) {
        return ceil(rows, this.rows) * ceil(cols, this.cols);
    }

    String kernel(String base) {
        return base + suffix;
    }

    /** Grid x over column tiles, y over row tiles, z over {@code depth} (batch, groups, splits). */
    LaunchShape shape(long rows, long cols, long depth) {
        long gx = ceil(cols, this.cols);
        long gy = ceil(rows, this.rows);
        if (gx > Integer.MAX_VALUE || gy > LaunchShape.MAX_GRID_YZ || depth > LaunchShape.MAX_GRID_YZ) {
            throw new IllegalArgumentException("cuda: a " + rows + " x " + cols + " product (x " + depth
                    + ") needs a grid of " + gx + " x " + gy + " x " + depth + " tiles, beyond the device's limits");
        }
        return new LaunchShape((int) Math.max(1, gx), (int) Math.max(1, gy), (int) Math.max(1, depth), THREADS, 1, 1);
    }

    static long ceil(long a, long b) {
        return (a + b - 1) / b;
    }
}
