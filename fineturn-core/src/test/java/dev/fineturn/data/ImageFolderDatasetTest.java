package dev.fineturn.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageFolderDatasetTest {
    @TempDir
    Path root;

    /** A 2-wide, 1-high RGB image of two colours. */
    private Path rgb(String path, int left, int right) throws IOException {
        BufferedImage img = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, left);
        img.setRGB(1, 0, right);
        return write(path, img, "png");
    }

    private Path write(String path, BufferedImage img, String format) throws IOException {
        Path f = root.resolve(path);
        Files.createDirectories(f.getParent());
        assertTrue(ImageIO.write(img, format, f.toFile()), "no writer for " + format);
        return f;
    }

    @Test
    void loadsClassesInSortedOrderWithExactPixels() throws IOException {
        rgb("zebra/b.png", 0x336699, 0xFF0000);
        rgb("zebra/a.png", 0x000000, 0xFFFFFF);
        rgb("apple/x.png", 0x010203, 0x00FF00);
        Files.writeString(root.resolve("apple/notes.txt"), "not an image");
        ImageFolderDataset d = ImageFolderDataset.open(root);
        assertEquals(List.of("apple", "zebra"), d.classNames());
        assertEquals(2, d.numClasses());
        assertEquals(3, d.size());
        assertArrayEquals(new int[]{3, 1, 2}, d.sampleShape());

        Sample apple = d.get(0);
        assertEquals(0, apple.label());
        assertArrayEquals(new float[]{1 / 255f, 0, 2 / 255f, 1, 3 / 255f, 0}, apple.pixels());
        assertEquals(root.resolve("zebra/a.png"), d.file(1));
        assertEquals(1, d.get(1).label());
        assertArrayEquals(new float[]{0, 1, 0, 1, 0, 1}, d.get(1).pixels());
        assertArrayEquals(new float[]{0.2f, 1, 0.4f, 0, 0.6f, 0}, d.get(2).pixels());
    }

    @Test
    void grayscaleImagesBecomeThreeEqualChannelsWithTheirStoredValues() throws IOException {
        BufferedImage gray = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_GRAY);
        gray.getRaster().setSample(0, 0, 0, 128);
        gray.getRaster().setSample(1, 0, 0, 51);
        write("gray/g.png", gray, "png");
        rgb("color/c.png", 0, 0);
        ImageFolderDataset d = ImageFolderDataset.open(root);
        Sample g = d.get(1);
        assertEquals("gray", d.classNames().get(g.label()));
        float v = 128 / 255f;
        assertArrayEquals(new float[]{v, 0.2f, v, 0.2f, v, 0.2f}, g.pixels());
    }

    @Test
    void resizesOnLoad() throws IOException {
        rgb("a/1.png", 0x000000, 0x804020);
        rgb("b/1.png", 0xFFFFFF, 0xFFFFFF);
        ImageFolderDataset d = ImageFolderDataset.open(root, 1, 4);
        assertArrayEquals(new int[]{3, 1, 4}, d.sampleShape());
        float r = 0x80 / 255f;
        float g = 0x40 / 255f;
        float b = 0x20 / 255f;
        assertArrayEquals(new float[]{0, r / 4, 3 * r / 4, r, 0, g / 4, 3 * g / 4, g, 0, b / 4, 3 * b / 4, b},
                d.get(0).pixels(), 1e-6f);
    }

    @Test
    void readsJpeg() throws IOException {
        BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                img.setRGB(x, y, 0x4080C0);
            }
        }
        write("one/a.jpg", img, "jpg");
        write("two/b.jpeg", img, "jpg");
        ImageFolderDataset d = ImageFolderDataset.open(root);
        Sample s = d.get(1);
        assertEquals(1, s.label());
        assertArrayEquals(new int[]{3, 8, 8}, s.shape());
        assertEquals(0x40 / 255f, s.pixels()[0], 3 / 255f);
        assertEquals(0x80 / 255f, s.pixels()[64], 3 / 255f);
        assertEquals(0xC0 / 255f, s.pixels()[128 + 63], 3 / 255f);
    }

    @Test
    void oneClassFailsNamingTheFolder() throws IOException {
        rgb("only/a.png", 0, 0);
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> ImageFolderDataset.open(root));
        assertTrue(e.getMessage().contains(root.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("at least 2 class") && e.getMessage().contains("only"), e.getMessage());
    }

    @Test
    void classFolderWithoutImagesIsNamed() throws IOException {
        rgb("a/1.png", 0, 0);
        Files.createDirectories(root.resolve("empty"));
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> ImageFolderDataset.open(root));
        assertTrue(e.getMessage().contains(root.resolve("empty").toString()), e.getMessage());
    }

    @Test
    void unreadableImageNamesTheFile() throws IOException {
        rgb("a/1.png", 0, 0);
        Files.createDirectories(root.resolve("b"));
        Path broken = Files.write(root.resolve("b/broken.png"), new byte[]{1, 2, 3, 4, 5});
        ImageFolderDataset d = ImageFolderDataset.open(root);
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> d.get(1));
        assertTrue(e.getMessage().contains(broken.toString()), e.getMessage());
        assertTrue(e.getCause() instanceof DatasetFormatException);
    }

    @Test
    void imagesOfAnotherSizeFailWithoutAResize() throws IOException {
        rgb("a/1.png", 0, 0);
        Path big = write("b/big.png", new BufferedImage(3, 3, BufferedImage.TYPE_INT_RGB), "png");
        ImageFolderDataset d = ImageFolderDataset.open(root);
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> d.get(1));
        assertTrue(e.getMessage().contains(big.toString()) && e.getMessage().contains("3x3"), e.getMessage());
        assertArrayEquals(new int[]{3, 2, 2}, ImageFolderDataset.open(root, 2, 2).get(1).shape());
    }
}
