package dev.fineturn.data;

/** Cuts a window out of a CHW image that is optionally zero-padded. */
final class Crops {
    private Crops() {
    }

    /**
     * The {@code height x width} window whose top-left corner is at ({@code top}, {@code left}) in
     * the image padded by {@code padding} zeros on every side.
     */
    static Sample crop(Sample s, int padding, int top, int left, int height, int width) {
        int c = s.channels();
        int h = s.height();
        int w = s.width();
        float[] src = s.pixels();
        float[] out = new float[c * height * width];
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < height; y++) {
                int sy = top + y - padding;
                if (sy < 0 || sy >= h) {
                    continue;
                }
                int sx0 = left - padding;
                int from = Math.max(0, -sx0);
                int to = Math.min(width, w - sx0);
                if (from < to) {
                    System.arraycopy(src, (ch * h + sy) * w + sx0 + from, out, (ch * height + y) * width + from,
                            to - from);
                }
            }
        }
        return s.withPixels(out, c, height, width);
    }
}
