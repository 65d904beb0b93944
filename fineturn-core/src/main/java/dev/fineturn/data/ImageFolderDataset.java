package dev.fineturn.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Images in one subfolder per class: {@code root/<class>/**.png|jpg|jpeg}. Classes are the
 * subfolder names in sorted order; images are decoded on each {@link #get} to RGB floats in
 * [0, 1], grey images repeated to three channels, and resized bilinearly when a size is given.
 * Without a size every image must have the size of the first one.
 */
public final class ImageFolderDataset implements Dataset {
    private final Path root;
    private final List<String> classNames;
    private final List<Path> files;
    private final int[] labels;
    private final Resize resize;
    private volatile int[] shape;

    private ImageFolderDataset(Path root, List<String> classNames, List<Path> files, int[] labels, Resize resize) {
        this.root = root;
        this.classNames = List.copyOf(classNames);
        this.files = List.copyOf(files);
        this.labels = labels;
        this.resize = resize;
        if (resize != null) {
            this.shape = new int[]{3, resize.height(), resize.width()};
        }
    }

    /** Images at their own size, which must be the same for all. */
    public static ImageFolderDataset open(Path root) throws IOException {
        return scan(root, null);
    }

    /** Every image resized to {@code height x width} as it is loaded. */
    public static ImageFolderDataset open(Path root, int height, int width) throws IOException {
        return scan(root, new Resize(height, width));
    }

    private static ImageFolderDataset scan(Path root, Resize resize) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new DatasetFormatException(root, "is not a folder");
        }
        List<Path> classDirs;
        try (Stream<Path> s = Files.list(root)) {
            classDirs = s.filter(Files::isDirectory).filter(p -> !isHidden(p)).sorted().toList();
        }
        if (classDirs.size() < 2) {
            throw new DatasetFormatException(root, "an image folder needs at least 2 class subfolders, found "
                    + classDirs.size() + (classDirs.isEmpty() ? "" : " (" + classDirs.getFirst().getFileName() + ")"));
        }
        List<String> names = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int c = 0; c < classDirs.size(); c++) {
            Path dir = classDirs.get(c);
            List<Path> images;
            try (Stream<Path> s = Files.walk(dir)) {
                images = s.filter(Files::isRegularFile).filter(ImageFolderDataset::isImage).sorted().toList();
            }
            if (images.isEmpty()) {
                throw new DatasetFormatException(dir, "class folder holds no .png, .jpg or .jpeg files");
            }
            names.add(dir.getFileName().toString());
            for (Path f : images) {
                files.add(f);
                labels.add(c);
            }
        }
        int[] labelArray = labels.stream().mapToInt(Integer::intValue).toArray();
        return new ImageFolderDataset(root, names, files, labelArray, resize);
    }

    private static boolean isHidden(Path p) {
        return p.getFileName().toString().startsWith(".");
    }

    private static boolean isImage(Path p) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return !isHidden(p) && (name.endsWith(".png") || name.endsWith(".jpg") || name.endsWith(".jpeg"));
    }

    public Path root() {
        return root;
    }

    /** A file that could not be decoded, and why. */
    public record Unreadable(Path file, String reason) {
        @Override
        public String toString() {
            return file + ": " + reason;
        }
    }

    /**
     * Decodes every image once (on {@code threads} threads) and returns those that fail, in file
     * order; a training run can then refuse or skip them before its first epoch.
     */
    public List<Unreadable> findUnreadable(int threads) {
        List<Unreadable> bad = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.stream.IntStream range = java.util.stream.IntStream.range(0, files.size());
        Runnable scan = () -> range.parallel().forEach(i -> {
            try {
                Sample s = ImageDecoder.decode(files.get(i), labels[i]);
                if (resize == null && (s.height() != sampleShape()[1] || s.width() != sampleShape()[2])) {
                    bad.add(new Unreadable(files.get(i), "image is " + s.height() + "x" + s.width() + " but "
                            + files.getFirst().getFileName() + " is " + sampleShape()[1] + "x" + sampleShape()[2]));
                }
            } catch (IOException | RuntimeException e) {
                bad.add(new Unreadable(files.get(i), reason(e)));
            }
        });
        try (var pool = new java.util.concurrent.ForkJoinPool(Math.max(1, threads))) {
            pool.submit(scan).join();
        }
        List<Unreadable> sorted = new ArrayList<>(bad);
        sorted.sort(java.util.Comparator.comparing(u -> u.file().toString()));
        return sorted;
    }

    private static String reason(Throwable e) {
        String m = e instanceof DatasetFormatException d ? d.reason() : e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }

    /** This dataset without {@code excluded} files (same classes, same order otherwise). */
    public ImageFolderDataset without(java.util.Collection<Path> excluded) throws DatasetFormatException {
        java.util.Set<Path> drop = new java.util.HashSet<>(excluded);
        List<Path> keptFiles = new ArrayList<>();
        List<Integer> keptLabels = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            if (!drop.contains(files.get(i))) {
                keptFiles.add(files.get(i));
                keptLabels.add(labels[i]);
            }
        }
        if (keptFiles.isEmpty()) {
            throw new DatasetFormatException(root, "no readable image is left");
        }
        return new ImageFolderDataset(root, classNames, keptFiles,
                keptLabels.stream().mapToInt(Integer::intValue).toArray(), resize);
    }

    /** The image file of sample {@code i}. */
    public Path file(int i) {
        return files.get(i);
    }

    public int label(int i) {
        return labels[i];
    }

    @Override
    public int size() {
        return files.size();
    }

    /** Decodes sample {@code i}; an unreadable file throws an {@link UncheckedIOException} naming it. */
    @Override
    public Sample get(int i) {
        Objects.checkIndex(i, files.size());
        Path file = files.get(i);
        Sample s;
        try {
            s = ImageDecoder.decode(file, labels[i]);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
        if (resize != null) {
            return resize.apply(s, null);
        }
        int[] expected = sampleShape();
        if (s.height() != expected[1] || s.width() != expected[2]) {
            throw new UncheckedIOException(new DatasetFormatException(file, "image is " + s.height() + "x" + s.width()
                    + " but " + files.getFirst() + " is " + expected[1] + "x" + expected[2]
                    + "; open the folder with a size to resize every image"));
        }
        return s;
    }

    /** {@code [3, H, W]}: the resize size, else the first image's size (decoding it once). */
    @Override
    public int[] sampleShape() {
        int[] s = shape;
        if (s == null) {
            try {
                s = ImageDecoder.decode(files.getFirst(), labels[0]).shape();
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
            shape = s;
        }
        return s.clone();
    }

    @Override
    public int numClasses() {
        return classNames.size();
    }

    @Override
    public List<String> classNames() {
        return classNames;
    }

    @Override
    public String toString() {
        return "ImageFolderDataset[" + root + ", " + size() + " images, classes " + classNames
                + (resize != null ? ", resized to " + resize.height() + "x" + resize.width() : "") + "]";
    }
}
