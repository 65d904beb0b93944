package dev.fineturn.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads images stored one per CSV row, {@code label,p0,p1,...} by default, into an
 * {@link InMemoryDataset}. The pixels fill the given {@code [C, H, W]} shape in CHW order and are
 * multiplied by a scale (e.g. {@code 1/255f}). Settings are immutable: each setter returns a new
 * reader. The file may be gzip-compressed; blank lines are skipped.
 */
public final class CsvDataset {
    private final int[] shape;
    private final int labelColumn;
    private final float scale;
    private final boolean header;
    private final int numClasses;

    private CsvDataset(int[] shape, int labelColumn, float scale, boolean header, int numClasses) {
        this.shape = shape;
        this.labelColumn = labelColumn;
        this.scale = scale;
        this.header = header;
        this.numClasses = numClasses;
    }

    /** A reader for images of {@code channels x height x width}, label in column 0, scale 1, no header. */
    public static CsvDataset format(int channels, int height, int width) {
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("CsvDataset: image shape [" + channels + ", " + height + ", " + width
                    + "] must be positive");
        }
        return new CsvDataset(new int[]{channels, height, width}, 0, 1f, false, 0);
    }

    /** The zero-based column holding the label; the others are pixels in order. */
    public CsvDataset labelColumn(int column) {
        if (column < 0) {
            throw new IllegalArgumentException("CsvDataset: label column " + column + " is negative");
        }
        return new CsvDataset(shape, column, scale, header, numClasses);
    }

    public CsvDataset pixelScale(float value) {
        if (!Float.isFinite(value)) {
            throw new IllegalArgumentException("CsvDataset: pixel scale " + value + " is not finite");
        }
        return new CsvDataset(shape, labelColumn, value, header, numClasses);
    }

    /** Whether the first line is a header to skip. */
    public CsvDataset header(boolean value) {
        return new CsvDataset(shape, labelColumn, scale, value, numClasses);
    }

    /** The number of classes; by default one more than the largest label. */
    public CsvDataset numClasses(int value) {
        if (value < 1) {
            throw new IllegalArgumentException("CsvDataset: numClasses " + value + " must be at least 1");
        }
        return new CsvDataset(shape, labelColumn, scale, header, value);
    }

    public InMemoryDataset read(Path file) throws IOException {
        int perImage = shape[0] * shape[1] * shape[2];
        int columns = perImage + 1;
        if (labelColumn >= columns) {
            throw new IllegalArgumentException("CsvDataset: label column " + labelColumn + " is beyond the "
                    + columns + " columns of a row");
        }
        float[] pixels = new float[(int) Math.min(64L * perImage, DataFiles.MAX_ARRAY)];
        int[] labels = new int[64];
        int rows = 0;
        int maxLabel = -1;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(DataFiles.open(file),
                StandardCharsets.UTF_8))) {
            int lineNumber = 0;
            String line;
            while ((line = in.readLine()) != null) {
                lineNumber++;
                if ((header && lineNumber == 1) || line.isBlank()) {
                    continue;
                }
                if ((long) (rows + 1) * perImage > DataFiles.MAX_ARRAY) {
                    throw new DatasetFormatException(file, "line " + lineNumber + ": more pixels than one array holds");
                }
                if ((rows + 1) * perImage > pixels.length) {
                    pixels = Arrays.copyOf(pixels, (int) Math.min(DataFiles.MAX_ARRAY, 2L * pixels.length));
                }
                if (rows == labels.length) {
                    labels = Arrays.copyOf(labels, 2 * labels.length);
                }
                int label = parseRow(file, lineNumber, line, columns, pixels, rows * perImage);
                labels[rows++] = label;
                maxLabel = Math.max(maxLabel, label);
            }
        }
        if (rows == 0) {
            throw new DatasetFormatException(file, "holds no data rows");
        }
        int classes = numClasses > 0 ? numClasses : maxLabel + 1;
        return new InMemoryDataset(Arrays.copyOf(pixels, rows * perImage), Arrays.copyOf(labels, rows), shape,
                classes);
    }

    /** Parses one row into {@code pixels[offset...]}; returns the label. */
    private int parseRow(Path file, int lineNumber, String line, int columns, float[] pixels, int offset)
            throws DatasetFormatException {
        int label = -1;
        int column = 0;
        int start = 0;
        int p = offset;
        while (start <= line.length()) {
            int comma = line.indexOf(',', start);
            int end = comma < 0 ? line.length() : comma;
            if (column >= columns) {
                throw new DatasetFormatException(file, "line " + lineNumber + ": more than the " + columns
                        + " expected values (a label and " + (columns - 1) + " pixels)");
            }
            String field = line.substring(start, end).strip();
            if (column == labelColumn) {
                label = parseLabel(file, lineNumber, field);
            } else {
                pixels[p++] = parsePixel(file, lineNumber, column, field) * scale;
            }
            column++;
            start = end + 1;
        }
        if (column != columns) {
            throw new DatasetFormatException(file, "line " + lineNumber + ": " + column + " values where "
                    + columns + " are expected (a label and " + (columns - 1) + " pixels)");
        }
        return label;
    }

    private int parseLabel(Path file, int lineNumber, String field) throws DatasetFormatException {
        int label;
        try {
            label = Integer.parseInt(field);
        } catch (NumberFormatException e) {
            throw new DatasetFormatException(file, "line " + lineNumber + ": label '" + field
                    + "' is not an integer", e);
        }
        if (label < 0) {
            throw new DatasetFormatException(file, "line " + lineNumber + ": label " + label + " is negative");
        }
        if (numClasses > 0 && label >= numClasses) {
            throw new DatasetFormatException(file, "line " + lineNumber + ": label " + label + " is outside [0, "
                    + numClasses + ")");
        }
        return label;
    }

    private static float parsePixel(Path file, int lineNumber, int column, String field)
            throws DatasetFormatException {
        float v;
        try {
            v = Float.parseFloat(field);
        } catch (NumberFormatException e) {
            throw new DatasetFormatException(file, "line " + lineNumber + ", column " + (column + 1) + ": '"
                    + field + "' is not a number", e);
        }
        if (!Float.isFinite(v)) {
            throw new DatasetFormatException(file, "line " + lineNumber + ", column " + (column + 1) + ": '"
                    + field + "' is not finite");
        }
        return v;
    }
}
