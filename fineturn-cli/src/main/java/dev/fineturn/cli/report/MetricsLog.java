package dev.fineturn.cli.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fineturn.train.ClassificationMetrics;
import dev.fineturn.train.EpochRecord;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Metrics as JSON lines: one line per epoch per run, and one per run for its test score. */
public final class MetricsLog {
    private static final ObjectMapper JSON = new ObjectMapper();

    private MetricsLog() {
    }

    public static void write(Path file, List<RunRecord> runs) throws IOException {
        List<String> lines = new ArrayList<>();
        for (RunRecord r : runs) {
            for (EpochRecord e : r.fit().history()) {
                ObjectNode n = JSON.createObjectNode().put("type", "epoch").put("strategy", r.name())
                        .put("epoch", e.epoch() + 1).put("train_loss", e.trainLoss())
                        .put("train_accuracy", e.trainAccuracy()).put("lr", e.lr()).put("seconds", e.seconds());
                if (e.validation() != null) {
                    n.put("val_loss", e.validation().loss()).put("val_accuracy", e.validation().top1())
                            .put("val_top5", e.validation().top5()).put("val_f1", e.validation().macroF1());
                }
                lines.add(JSON.writeValueAsString(n));
            }
            lines.add(JSON.writeValueAsString(testLine(r)));
        }
        Files.write(file, lines);
    }

    static ObjectNode testLine(RunRecord r) {
        ClassificationMetrics t = r.test();
        ObjectNode n = JSON.createObjectNode().put("type", "test").put("strategy", r.name())
                .put("accuracy", t.top1()).put("top5", t.top5()).put("loss", t.loss()).put("macro_f1", t.macroF1())
                .put("epochs", r.fit().history().size()).put("seconds", r.seconds())
                .put("trainable_parameters", r.trainableParameters());
        var cm = n.putArray("confusion");
        for (long[] row : t.confusion()) {
            var a = cm.addArray();
            for (long v : row) {
                a.add(v);
            }
        }
        var pr = n.putArray("per_class");
        for (int c = 0; c < t.f1().length; c++) {
            pr.addObject().put("precision", t.precision()[c]).put("recall", t.recall()[c]).put("f1", t.f1()[c]);
        }
        return n;
    }
}
