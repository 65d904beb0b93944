package dev.fineturn.cli;

import dev.fineturn.cli.demo.DemoData;
import dev.fineturn.data.CsvDataset;
import dev.fineturn.data.Dataset;
import dev.fineturn.data.IdxReader;
import dev.fineturn.data.ImageFolderDataset;
import dev.fineturn.data.InMemoryDataset;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
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
        if (spec.startsWith("demo:fashion-mnist")) {
            InMemoryDataset d = spec.endsWith(":test") ? DemoData.test() : DemoData.train();
            return channels == 3 ? DemoData.prepare(d, size) : d;
        }
        Path p = Path.of(spec);
        if (!Files.exists(p)) {
            throw new NoSuchFileException(spec, null, "no such data file or folder");
        }
        if (Files.isRegularFile(p) && p.getFileName().toString().toLowerCase().matches(".*\\.csv(\\.gz)?")) {
            return CsvDataset.format(channels, size, size).read(p);
        }
        if (Files.isDirectory(p)) {
            Path images = find(p, "images-idx3-ubyte");
            Path labels = find(p, "labels-idx1-ubyte");
            if (images != null && labels != null) {
                InMemoryDataset d = IdxReader.read(images, labels);
                return channels == 3 && d.sampleShape()[0] == 1 ? DemoData.prepare(d, size) : d;
            }
            return ImageFolderDataset.open(p, size, size);
        }
        throw new IOException(spec + ": not a data set (expected a folder of class subfolders, a folder with IDX "
                + "files, a .csv file, or demo:fashion-mnist)");
    }

    private static Path find(Path dir, String marker) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(f -> f.getFileName().toString().contains(marker)).sorted().findFirst().orElse(null);
        }
    }
}
