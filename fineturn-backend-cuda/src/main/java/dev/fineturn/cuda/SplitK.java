package dev.fineturn.cuda;

/**
 * How the weight-gradient GEMM splits its long reduction over (n, oy, ox) so that enough blocks
 * run: {@code splits} chunks of {@code chunk} reduced elements (the last may be shorter), each
 * written to its own slice of a scratch buffer and added in a fixed order by {@code sum_partials}.
 */
record SplitK(int splits, int chunk) {
    /** Blocks the split aims for. */
    static final long TARGET_BLOCKS = 256;
    /** No chunk is shorter than this. */
    static final int MIN_CHUNK = 512;
    static final int MAX_SPLITS = 64;

    /**
     * @param reduction reduced elements per output (batch * outH * outW)
     * @param tiles output tiles of one group
     * @param groups convolution groups; grid z is groups * splits
     * @param tileDepth the tile's k step; chunks are multiples of it
     */
    static SplitK plan(int reduction, long tiles, int groups, int tileDepth) {
        if (reduction < 1 || tiles < 1 || groups < 1 || groups > LaunchShape.MAX_GRID_YZ) {
            throw new IllegalArgumentException("split-k: reduction " + reduction + ", tiles " + tiles + ", groups "
                    + groups);
        }
        long wanted = Math.min(GemmTile.ceil(TARGET_BLOCKS, tiles * groups), MAX_SPLITS);
        long byLength = reduction / MIN_CHUNK;
        long byGrid = LaunchShape.MAX_GRID_YZ / groups;
        int splits = (int) Math.max(1, Math.min(Math.min(wanted, byLength), byGrid));
        int chunk = (int) (GemmTile.ceil(reduction, (long) splits * tileDepth) * tileDepth);
        return new SplitK((int) GemmTile.ceil(reduction, chunk), chunk);
    }
}
