package dev.fineturn.cpu;

/**
 * A thread's buffer for packed GEMM panels whose float at {@link #START} sits on a 64-byte cache line, as far as
 * Java can arrange it. A float[] has no address Java can read, but HotSpot's G1 places an array of at least half a
 * heap region (a humongous object) at the start of a region, and its floats begin 16 bytes after the object (12
 * bytes of header, 4 of length). So a buffer that large, read from float 12 on, starts on a cache line.
 *
 * <p>That matters on Intel cores, where a 512-bit load that straddles two cache lines costs two loads: the 4 x 4
 * micro-kernel streaming its B sliver from L2 ran at 91 GFLOP/s from panels 16 bytes off a line and 146 from
 * aligned ones (one Xeon core, AVX-512). Where the assumption fails (another collector, compact object headers, a
 * region size set by hand) the panels are merely as unaligned as any array; nothing else depends on it.
 */
final class AlignedPanel {
    /** The first float of a panel: 16 bytes of array header + 12 floats = 64 bytes. */
    static final int START = 12;
    /** Floats in a buffer G1 allocates as a humongous object: half of the region size it picks for this heap. */
    static final int HUMONGOUS_FLOATS = regionBytes(Runtime.getRuntime().maxMemory()) / 2 / Float.BYTES;
    /**
     * The most a buffer is grown to make it humongous: 4 MB a thread. On heaps over 16 GB (regions over 8 MB) a
     * smaller request stays as large as it is, unaligned, rather than cost every core's thread half a region; a
     * request of half a region or more is humongous, and so aligned, anyway.
     */
    static final int MAX_PADDED_FLOATS = 1 << 20;
    private static final ThreadLocal<float[]> BUFFER = ThreadLocal.withInitial(() -> new float[0]);

    private AlignedPanel() {
    }

    /** This thread's buffer, with at least {@code floats} floats from {@link #START}. */
    static float[] buffer(int floats) {
        float[] b = BUFFER.get();
        if (b.length < START + floats) {
            b = new float[Math.max(START + floats, HUMONGOUS_FLOATS <= MAX_PADDED_FLOATS ? HUMONGOUS_FLOATS : 0)];
            BUFFER.set(b);
        }
        return b;
    }

    /**
     * G1's region size for a heap of {@code maxHeap} bytes: about 2048 regions, a power of two from 1 to 32 MB
     * (rounded up, so that a buffer of half of it is humongous whichever way G1 rounds).
     */
    static int regionBytes(long maxHeap) {
        long target = Math.max(1L << 20, Math.min(32L << 20, maxHeap / 2048));
        return (int) Math.min(32L << 20, Long.highestOneBit(target - 1) << 1);
    }
}
