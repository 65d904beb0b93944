package dev.fineturn.models.match;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What loading a weight file into a model did: which of the model's tensors were loaded and from
 * which source tensor, which are missing, which source tensors were not used, and which names
 * matched but with a different shape (typically a classifier head). {@link #toString()} is a table.
 *
 * <p>Batch-norm {@code num_batches_tracked} counters are listed but not counted as weights: many
 * formats do not store them and they do not affect inference.
 */
public final class LoadReport {
    /** How a source tensor was paired with a model tensor. */
    public enum How {
        EXACT, RENAMED, SHAPE_ORDER;

        String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', ' ');
        }
    }

    public record Loaded(String target, String source, int[] shape, How how) {
    }

    public record Mismatch(String target, int[] targetShape, String source, int[] sourceShape, How how) {
    }

    public record Entry(String name, int[] shape) {
    }

    private final List<Loaded> loaded;
    private final List<Mismatch> shapeMismatched;
    private final List<Entry> missing;
    private final List<Entry> unexpected;
    private final List<String> notes;
    private final int weightCount;

    LoadReport(List<Loaded> loaded, List<Mismatch> shapeMismatched, List<Entry> missing, List<Entry> unexpected,
               List<String> notes, int weightCount) {
        this.loaded = List.copyOf(loaded);
        this.shapeMismatched = List.copyOf(shapeMismatched);
        this.missing = List.copyOf(missing);
        this.unexpected = List.copyOf(unexpected);
        this.notes = List.copyOf(notes);
        this.weightCount = weightCount;
    }

    public List<Loaded> loaded() {
        return loaded;
    }

    public List<Mismatch> shapeMismatched() {
        return shapeMismatched;
    }

    /** Model tensors that nothing was loaded into (shape-mismatched ones are listed separately). */
    public List<Entry> missing() {
        return missing;
    }

    /** Source tensors that were not used (shape-mismatched ones are listed separately). */
    public List<Entry> unexpected() {
        return unexpected;
    }

    /** Why a matching stage did not apply, when it did not. */
    public List<String> notes() {
        return notes;
    }

    /** The model's tensors, not counting batch-norm counters. */
    public int weightCount() {
        return weightCount;
    }

    /** Loaded tensors, not counting batch-norm counters. */
    public int loadedWeights() {
        return (int) loaded.stream().filter(l -> TensorRole.of(l.target()) != TensorRole.COUNTER).count();
    }

    /** loadedWeights / weightCount; 0 for a model without weights. */
    public double fractionLoaded() {
        return weightCount == 0 ? 0 : (double) loadedWeights() / weightCount;
    }

    public boolean isComplete() {
        return missing.isEmpty() && unexpected.isEmpty() && shapeMismatched.isEmpty();
    }

    public String summary() {
        return String.format(Locale.ROOT, "%d of %d weights loaded (%.1f%%): %d missing, %d unexpected, "
                        + "%d shape mismatched", loadedWeights(), weightCount, 100 * fractionLoaded(), missing.size(),
                unexpected.size(), shapeMismatched.size());
    }

    /** The summary, the first few problems and the notes; the full table is {@link #toString()}. */
    public String brief() {
        StringBuilder b = new StringBuilder(summary()).append('\n');
        List<String> problems = new ArrayList<>();
        shapeMismatched.forEach(m -> problems.add("MISMATCH " + m.target() + " " + Arrays.toString(m.targetShape())
                + " vs source " + m.source() + " " + Arrays.toString(m.sourceShape())));
        missing.forEach(e -> problems.add("MISSING " + e.name() + " " + Arrays.toString(e.shape())));
        unexpected.forEach(e -> problems.add("UNEXPECTED " + e.name() + " " + Arrays.toString(e.shape())));
        problems.stream().limit(BRIEF_PROBLEMS).forEach(p -> b.append("  ").append(p).append('\n'));
        if (problems.size() > BRIEF_PROBLEMS) {
            b.append("  ... ").append(problems.size() - BRIEF_PROBLEMS).append(" more (--verbose shows every tensor)\n");
        }
        for (String note : notes) {
            b.append("note: ").append(note).append('\n');
        }
        return b.toString();
    }

    private static final int BRIEF_PROBLEMS = 5;

    @Override
    public String toString() {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[]{"status", "model tensor", "source tensor", "shape", "matched"});
        for (Mismatch m : shapeMismatched) {
            rows.add(new String[]{"MISMATCH", m.target(), m.source(),
                    Arrays.toString(m.targetShape()) + " vs source " + Arrays.toString(m.sourceShape()), m.how().label()});
        }
        for (Entry e : missing) {
            rows.add(new String[]{"MISSING", e.name(), "-", Arrays.toString(e.shape()), ""});
        }
        for (Entry e : unexpected) {
            rows.add(new String[]{"UNEXPECTED", "-", e.name(), Arrays.toString(e.shape()), ""});
        }
        for (Loaded l : loaded) {
            rows.add(new String[]{"loaded", l.target(), l.source(), Arrays.toString(l.shape()), l.how().label()});
        }
        int[] width = new int[5];
        for (String[] r : rows) {
            for (int c = 0; c < r.length; c++) {
                width[c] = Math.max(width[c], r[c].length());
            }
        }
        StringBuilder b = new StringBuilder(summary()).append('\n');
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < r.length; c++) {
                line.append(c == 0 ? "" : "  ").append(c == r.length - 1 ? r[c] : pad(r[c], width[c]));
            }
            b.append(line.toString().stripTrailing()).append('\n');
        }
        for (String note : notes) {
            b.append("note: ").append(note).append('\n');
        }
        return b.toString();
    }

    private static String pad(String s, int width) {
        return s + " ".repeat(width - s.length());
    }
}
