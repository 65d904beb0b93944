package dev.fineturn.cli.demo;

import dev.fineturn.data.Dataset;
import dev.fineturn.data.GrayscaleToRgb;
import dev.fineturn.data.IdxReader;
import dev.fineturn.data.InMemoryDataset;
import dev.fineturn.data.Resize;
import dev.fineturn.data.Sample;
import dev.fineturn.data.Transform;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.SplittableRandom;

/** The demo's bundled Fashion-MNIST subset (MIT, Zalando SE), prepared for an RGB backbone. */
public final class DemoData {
    public static final List<String> CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
    private static final String BASE = "/dev/fineturn/cli/demo/fashion-mnist/";

    private DemoData() {
    }

    public static InMemoryDataset train() throws IOException {
        return read("train");
    }

    public static InMemoryDataset test() throws IOException {
        return read("test");
    }

    private static InMemoryDataset read(String split) throws IOException {
        Path dir = Files.createTempDirectory("fineturn-demo");
        try {
            Path images = copy(split + "-images-idx3-ubyte.gz", dir);
            Path labels = copy(split + "-labels-idx1-ubyte.gz", dir);
            return IdxReader.read(images, labels).withClassNames(CLASSES);
        } finally {
            try (var s = Files.list(dir)) {
                for (Path p : s.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    private static Path copy(String name, Path dir) throws IOException {
        try (InputStream in = DemoData.class.getResourceAsStream(BASE + name)) {
            if (in == null) {
                throw new IOException("the demo data " + name + " is missing from the fineturn jar");
            }
            Path p = dir.resolve(name);
            Files.copy(in, p, StandardCopyOption.REPLACE_EXISTING);
            return p;
        }
    }

    /** Grey 28x28 to RGB size x size, once, so no epoch pays for resizing again. */
    public static InMemoryDataset prepare(Dataset data, int size) {
        Transform t = new GrayscaleToRgb().andThen(new Resize(size, size));
        float[] px = new float[data.size() * 3 * size * size];
        int[] labels = new int[data.size()];
        SplittableRandom unused = new SplittableRandom(0);
        for (int i = 0; i < data.size(); i++) {
            Sample s = t.apply(data.get(i), unused);
            System.arraycopy(s.pixels(), 0, px, i * s.pixels().length, s.pixels().length);
            labels[i] = s.label();
        }
        return new InMemoryDataset(px, labels, new int[]{3, size, size}, data.numClasses())
                .withClassNames(data.classNames());
    }
}
