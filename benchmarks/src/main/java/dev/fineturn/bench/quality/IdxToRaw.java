package dev.fineturn.bench.quality;

import dev.fineturn.data.GrayscaleToRgb;
import dev.fineturn.data.IdxReader;
import dev.fineturn.data.InMemoryDataset;
import dev.fineturn.data.Resize;
import dev.fineturn.data.Sample;
import dev.fineturn.data.Transform;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Converts an MNIST-style IDX folder into the quality benchmark's raw format, with fineturn's own classes, so
 * that the outside reference sees exactly the pixels fineturn's command line feeds the network: {@link IdxReader}
 * (bytes / 255), {@link GrayscaleToRgb}, then {@link Resize} to {@code SIZE x SIZE} (the order and the
 * transforms of the CLI's IDX loading), then an optional input preprocessing.
 * <pre>
 *   IdxToRaw IDX_DIR OUT_DIR [--size 64] [--preprocess none|range:LO,HI]
 * </pre>
 * {@code range:LO,HI} maps [0, 1] linearly to [LO, HI]; {@code none} (the default) keeps [0, 1] bit for bit.
 * Writes {@code images.f32} (little-endian float32 NCHW {@code [N, 3, SIZE, SIZE]}), {@code labels.i32}
 * (little-endian int32) and {@code meta.json}.
 */
public final class IdxToRaw {
    private IdxToRaw() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: IdxToRaw IDX_DIR OUT_DIR [--size 64] [--preprocess none|range:LO,HI]");
            System.exit(2);
        }
        Path in = Path.of(args[0]);
        Path out = Path.of(args[1]);
        int size = 64;
        String preprocess = "none";
        for (int i = 2; i < args.length; i++) {
            switch (args[i]) {
                case "--size" -> size = Integer.parseInt(args[++i]);
                case "--preprocess" -> preprocess = args[++i];
                default -> throw new IllegalArgumentException("IdxToRaw: unknown argument " + args[i]);
            }
        }
        float lo = 0;
        float hi = 1;
        if (preprocess.startsWith("range:")) {
            String[] r = preprocess.substring("range:".length()).split(",");
            lo = Float.parseFloat(r[0]);
            hi = Float.parseFloat(r[1]);
        } else if (!preprocess.equals("none")) {
            throw new IllegalArgumentException("IdxToRaw: --preprocess must be none or range:LO,HI, not " + preprocess);
        }
        boolean identity = lo == 0 && hi == 1;

        InMemoryDataset data = IdxReader.read(find(in, "images-idx3-ubyte"), find(in, "labels-idx1-ubyte"));
        if (data.sampleShape()[0] != 1) {
            throw new IllegalArgumentException("IdxToRaw: expected grey images, got " + data.sampleShape()[0]
                    + " channels");
        }
        Transform t = new GrayscaleToRgb().andThen(new Resize(size, size));
        SplittableRandom unused = new SplittableRandom(0);
        int n = data.size();
        int per = 3 * size * size;
        Files.createDirectories(out);
        ByteBuffer buf = ByteBuffer.allocate(4 * per).order(ByteOrder.LITTLE_ENDIAN);
        int[] labels = new int[n];
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(out.resolve("images.f32")), 1 << 20)) {
            for (int i = 0; i < n; i++) {
                Sample s = t.apply(data.get(i), unused);
                float[] px = s.pixels();
                if (px.length != per) {
                    throw new IllegalStateException("IdxToRaw: sample " + i + " has " + px.length + " values");
                }
                buf.clear();
                for (float v : px) {
                    buf.putFloat(identity ? v : lo + (hi - lo) * v);
                }
                os.write(buf.array(), 0, buf.position());
                labels[i] = s.label();
            }
        }
        try (DataOutputStream ls = new DataOutputStream(new BufferedOutputStream(
                Files.newOutputStream(out.resolve("labels.i32"))))) {
            for (int label : labels) {
                ls.writeInt(Integer.reverseBytes(label));
            }
        }
        Files.writeString(out.resolve("meta.json"), String.format(
                "{\"n\": %d, \"channels\": 3, \"height\": %d, \"width\": %d, \"classes\": %d, "
                        + "\"source\": \"fineturn IdxReader + GrayscaleToRgb + Resize.bilinear\", "
                        + "\"preprocess\": \"%s\"}%n", n, size, size, data.numClasses(), preprocess));
        System.out.printf("IdxToRaw: %d images %dx%d grey -> 3x%dx%d (%s), %d classes -> %s%n", n,
                data.sampleShape()[1], data.sampleShape()[2], size, size, preprocess, data.numClasses(), out);
    }

    /** The first file (by name) whose name contains {@code marker}, as the CLI picks it. */
    private static Path find(Path dir, String marker) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(f -> f.getFileName().toString().contains(marker)).sorted().findFirst()
                    .orElseThrow(() -> new IOException(dir + ": no file named *" + marker + "*"));
        }
    }
}
