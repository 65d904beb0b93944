package dev.fineturn.cuda;

/**
 * The grid and block of one kernel launch, checked against the limits of every CUDA device of
 * compute capability 8.0 and newer: grid x up to 2^31 - 1, grid y and z up to 65535, at most 1024
 * threads per block.
 */
record LaunchShape(int gridX, int gridY, int gridZ, int blockX, int blockY, int blockZ) {
    /** Threads per block of the one-thread-per-element kernels and of the block reductions ({@code RB}). */
    static final int THREADS = 256;
    static final int MAX_GRID_YZ = 65535;
    static final int MAX_BLOCK = 1024;

    LaunchShape {
        if (gridX < 1 || gridY < 1 || gridZ < 1 || blockX < 1 || blockY < 1 || blockZ < 1) {
            throw new IllegalArgumentException("cuda: empty launch grid " + gridX + "x" + gridY + "x" + gridZ
                    + ", block " + blockX + "x" + blockY + "x" + blockZ);
        }
        if (gridY > MAX_GRID_YZ || gridZ > MAX_GRID_YZ) {
            throw new IllegalArgumentException("cuda: grid " + gridX + "x" + gridY + "x" + gridZ
                    + " exceeds the 65535 limit of grid y and z");
        }
        if ((long) blockX * blockY * blockZ > MAX_BLOCK) {
            throw new IllegalArgumentException("cuda: block " + blockX + "x" + blockY + "x" + blockZ
                    + " exceeds 1024 threads");
        }
    }

    /** One thread per element, {@link #THREADS} per block. */
    static LaunchShape linear(long n) {
        return new LaunchShape(blocks(n, THREADS), 1, 1, THREADS, 1, 1);
    }

    /** One block of {@code threads} threads per item. */
    static LaunchShape perItem(long items, int threads) {
        return new LaunchShape(gridX(Math.max(1, items)), 1, 1, threads, 1, 1);
    }

    /** Threads launched in all. */
    long threads() {
        return (long) gridX * gridY * gridZ * blockX * blockY * blockZ;
    }

    /** Grid size for n threads in blocks of {@code block}, refusing sizes the grid cannot hold. */
    static int blocks(long n, int block) {
        return gridX(Math.max(1, (n + block - 1) / block));
    }

    private static int gridX(long blocks) {
        if (blocks > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("cuda: " + blocks + " blocks exceed the grid's 2^31 - 1");
        }
        return (int) blocks;
    }
}
