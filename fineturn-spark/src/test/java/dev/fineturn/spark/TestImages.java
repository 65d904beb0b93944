package dev.fineturn.spark;

import dev.fineturn.cli.demo.DemoData;
import dev.fineturn.data.InMemoryDataset;
import dev.fineturn.data.Sample;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Fashion-MNIST images from the bundled demo subset, written as grey PNG files in class folders. */
final class TestImages {
    private TestImages() {
    }

    /** {@code perClass} images of each of the first {@code classes} classes, from the train or test split. */
    static Path write(Path root, boolean test, int classes, int perClass) throws IOException {
        InMemoryDataset d = test ? DemoData.test() : DemoData.train();
        int[] count = new int[classes];
        for (int i = 0; i < d.size(); i++) {
            Sample s = d.get(i);
            if (s.label() >= classes || count[s.label()] >= perClass) {
                continue;
            }
            Path dir = root.resolve(String.format("class%d", s.label()));
            Files.createDirectories(dir);
            BufferedImage img = new BufferedImage(s.width(), s.height(), BufferedImage.TYPE_BYTE_GRAY);
            for (int y = 0; y < s.height(); y++) {
                for (int x = 0; x < s.width(); x++) {
                    img.getRaster().setSample(x, y, 0, Math.round(s.pixels()[y * s.width() + x] * 255f));
                }
            }
            ImageIO.write(img, "png", dir.resolve(String.format("img%04d.png", i)).toFile());
            count[s.label()]++;
        }
        return root;
    }
}
