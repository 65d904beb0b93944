package dev.fineturn.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/** Epoch records as checkpoint JSON and back, exactly (non-finite values as null). */
final class HistoryJson {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private HistoryJson() {
    }

    static ArrayNode write(List<EpochRecord> history) {
        ArrayNode a = F.arrayNode();
        for (EpochRecord e : history) {
            ObjectNode n = a.addObject().put("epoch", e.epoch()).put("lr", e.lr())
                    .put("touchedBackbone", e.touchedBackbone());
            number(n, "trainLoss", e.trainLoss());
            number(n, "trainAccuracy", e.trainAccuracy());
            number(n, "seconds", e.seconds());
            if (e.validation() != null) {
                n.set("validation", write(e.validation()));
            }
        }
        return a;
    }

    static List<EpochRecord> read(JsonNode a) {
        List<EpochRecord> out = new ArrayList<>();
        if (a == null || !a.isArray()) {
            return out;
        }
        for (JsonNode n : a) {
            out.add(new EpochRecord(n.get("epoch").asInt(), number(n, "trainLoss"), number(n, "trainAccuracy"),
                    n.hasNonNull("validation") ? readMetrics(n.get("validation")) : null, n.get("lr").asDouble(),
                    number(n, "seconds"), n.path("touchedBackbone").asBoolean(true)));
        }
        return out;
    }

    static ObjectNode write(ClassificationMetrics m) {
        ObjectNode n = F.objectNode().put("samples", m.samples());
        number(n, "loss", m.loss());
        number(n, "top1", m.top1());
        number(n, "top5", m.top5());
        ArrayNode cm = n.putArray("confusion");
        for (long[] row : m.confusion()) {
            ArrayNode r = cm.addArray();
            for (long v : row) {
                r.add(v);
            }
        }
        numbers(n.putArray("precision"), m.precision());
        numbers(n.putArray("recall"), m.recall());
        numbers(n.putArray("f1"), m.f1());
        return n;
    }

    static ClassificationMetrics readMetrics(JsonNode n) {
        JsonNode cm = n.get("confusion");
        long[][] confusion = new long[cm.size()][];
        for (int i = 0; i < confusion.length; i++) {
            confusion[i] = new long[cm.get(i).size()];
            for (int j = 0; j < confusion[i].length; j++) {
                confusion[i][j] = cm.get(i).get(j).asLong();
            }
        }
        return new ClassificationMetrics(number(n, "loss"), number(n, "top1"), number(n, "top5"), confusion,
                numbers(n.get("precision")), numbers(n.get("recall")), numbers(n.get("f1")), n.get("samples").asLong());
    }

    private static void number(ObjectNode n, String key, double v) {
        if (Double.isFinite(v)) {
            n.put(key, v);
        } else {
            n.putNull(key);
        }
    }

    private static double number(JsonNode n, String key) {
        JsonNode v = n.get(key);
        return v == null || v.isNull() ? Double.NaN : v.asDouble();
    }

    private static void numbers(ArrayNode a, double[] values) {
        for (double v : values) {
            if (Double.isFinite(v)) {
                a.add(v);
            } else {
                a.addNull();
            }
        }
    }

    private static double[] numbers(JsonNode a) {
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).isNull() ? Double.NaN : a.get(i).asDouble();
        }
        return out;
    }
}
