package dev.fineturn.cli;

import dev.fineturn.cli.demo.DemoData;
import dev.fineturn.data.CsvDataset;
import dev.fineturn.data.Dataset;
import dev.fineturn.data.IdxReader;
import dev.fineturn.data.DatasetFormatException;
import dev.fineturn.data.ImageFolderDataset;
import dev.fineturn.data.InMemoryDataset;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Opens a data set named on the command line: a folder with one subfolder per class (PNG/JPEG), a
 * folder holding MNIST-style IDX files ({@code *-images-idx3-ubyte[.gz]} and labels), a CSV file of
 * {@code label,pixels...}, or {@code demo:fashion-mnist[:test]} for the bundled subset.
 */
final class DataSources {
    private DataSources() {
    }

    /** True for a folder of class subfolders (photographs), which get augmentation by default. */
    static boolean isImageFolder(String spec) throws IOException {
        if (spec.startsWith("demo:")) {
            return false;
        }
        Path p = Path.of(spec);
        return Files.isDirectory(p) && find(p, "images-idx3-ubyte") == null;
    }

    static Dataset open(String spec, int channels, int size) throws IOException {
        return open(spec, channels, size, false);
    }

    /**
     * Opens a data set; every image of an image folder is decoded once first, and an unreadable one
     * is refused with its path (or, with {@code skipUnreadable}, left out with a count on stderr).
     */
    static Dataset open(String spec, int channels, int size, boolean skipUnreadable) throws IOException {
        if (spec.startsWith("demo:fashion-mnist")) {
            InMemoryDataset d = spec.endsWith(":test") ? DemoData.test() : DemoData.train();
            return channels == 3 ? DemoData.prepare(d, size) : d;
        }
        Path p = Path.of(spec);
        if (!Files.exists(p)) {
            throw new NoSuchFileException(spec, null, "no such data file or folder");
        }
        if (Files.isRegularFile(p) && p.getFileName().toString().toLowerCase().matches(".*\\.csv(\\.gz)?")) {
            return csv(p, channels, size);
        }
        if (Files.isDirectory(p)) {
            Path images = find(p, "images-idx3-ubyte");
            Path labels = find(p, "labels-idx1-ubyte");
            if (images != null && labels != null) {
                InMemoryDataset d = IdxReader.read(images, labels);
                return channels == 3 && d.sampleShape()[0] == 1 ? DemoData.prepare(d, size) : d;
            }
            Dataset photos = readable(ImageFolderDataset.open(p, size, size), skipUnreadable);
            return channels == 1 ? photos.map(new dev.fineturn.data.RgbToGrayscale()) : photos;
        }
        throw new IOException(spec + ": not a data set (expected a folder of class subfolders, a folder with IDX "
                + "files, a .csv file, or demo:fashion-mnist)");
    }

    private static Dataset readable(ImageFolderDataset d, boolean skip) throws IOException {
        List<ImageFolderDataset.Unreadable> bad = d.findUnreadable(Runtime.getRuntime().availableProcessors());
        if (bad.isEmpty()) {
            return d;
        }
        String count = bad.size() == 1 ? "1 unreadable image" : bad.size() + " unreadable images";
        if (!skip) {
            throw new DatasetFormatException(bad.getFirst().file(), bad.getFirst().reason() + " (" + count
                    + " in " + d.root() + "; fix or remove them, or give --skip-bad-images to leave them out)");
        }
        System.err.println("skipped " + count + " of " + d.size() + ", e.g. " + bad.getFirst());
        return d.without(bad.stream().map(ImageFolderDataset.Unreadable::file).toList());
    }

    /**
     * Pixels 0-255 (MNIST-style CSV files) are scaled to [0, 1], the range every fineturn data set
     * yields; a file whose values all lie in [0, 1] is taken as it is.
     */
    private static Dataset csv(Path p, int channels, int size) throws IOException {
        InMemoryDataset raw = CsvDataset.format(channels, size, size).read(p);
        float max = 0;
        for (int i = 0; i < raw.size(); i++) {
            for (float v : raw.get(i).pixels()) {
                max = Math.max(max, v);
            }
        }
        return max > 1f ? CsvDataset.format(channels, size, size).pixelScale(1f / 255f).read(p) : raw;
    }

    private static Path find(Path dir, String marker) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(f -> f.getFileName().toString().contains(marker)).sorted().findFirst().orElse(null);
        }
    }
}
