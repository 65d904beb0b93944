package dev.fineturn.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fineturn.io.NamedTensor;
import dev.fineturn.io.Safetensors;
import dev.fineturn.nn.Layer;
import dev.fineturn.optim.Optimizer;
import dev.fineturn.tensor.Tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A resumable checkpoint: {@code model.safetensors} (the trainable parameters and the buffers),
 * {@code optimizer.safetensors} (momentum buffers and Adam moments) and {@code state.json} (epoch,
 * step, optimiser step count, random and schedule state, the epochs so far). Frozen parameters are
 * not copied into every checkpoint: the checkpoint records their SHA-256, and restoring refuses a
 * model whose frozen weights differ. Each checkpoint is written into a temporary folder that is
 * renamed into place, and {@code latest.json} is replaced atomically afterwards, so a kill at any
 * moment leaves the previous checkpoint intact. The newest {@code keep} checkpoints are kept.
 */
public final class Checkpoint {
    public static final String MODEL_FILE = "model.safetensors";
    public static final String OPTIMIZER_FILE = "optimizer.safetensors";
    public static final String STATE_FILE = "state.json";
    public static final String LATEST = "latest.json";
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final int DEFAULT_KEEP = 2;
    static final String FROZEN_HASH = "frozen_sha256";

    private Checkpoint() {
    }

    public static Path save(Path dir, Layer model, Optimizer optimizer, TrainingState state) throws IOException {
        return save(dir, model, optimizer, state, DEFAULT_KEEP);
    }

    /** Writes a checkpoint and removes all but the newest {@code keep} (at least 1). */
    public static Path save(Path dir, Layer model, Optimizer optimizer, TrainingState state, int keep)
            throws IOException {
        if (keep < 1) {
            throw new IllegalArgumentException("checkpoint: keep " + keep + " must be at least 1");
        }
        Files.createDirectories(dir);
        String name = String.format("ckpt-%09d", state.step());
        Path tmp = Files.createTempDirectory(dir, "." + name + ".tmp");
        try {
            Safetensors.write(tmp.resolve(MODEL_FILE), named(FrozenWeights.changing(model)),
                    Map.of("format", "fineturn", FROZEN_HASH, FrozenWeights.sha256(model)));
            Safetensors.write(tmp.resolve(OPTIMIZER_FILE), named(optimizer.stateTensors()), Map.of());
            ObjectNode s = JSON.createObjectNode();
            s.put("epoch", state.epoch());
            s.put("batchInEpoch", state.batchInEpoch());
            s.put("step", state.step());
            s.put("optimizerSteps", optimizer.steps());
            s.put("bestMetric", state.bestMetric());
            s.put("bestEpoch", state.bestEpoch());
            s.put("badEpochs", state.badEpochs());
            ObjectNode r = s.putObject("randomState");
            state.randomState().forEach(r::put);
            ObjectNode sch = s.putObject("scheduleState");
            state.scheduleState().forEach(sch::put);
            s.set("history", HistoryJson.write(state.history()));
            TrainingState.EpochProgress p = state.progress();
            s.putObject("epochProgress").put("lossSum", p.lossSum()).put("correct", p.correct())
                    .put("seen", p.seen()).put("seconds", p.seconds());
            writeAtomically(tmp.resolve(STATE_FILE), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(s));
            Path target = dir.resolve(name);
            if (Files.exists(target)) {
                deleteTree(target);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            ObjectNode latest = JSON.createObjectNode().put("checkpoint", name);
            writeAtomically(dir.resolve(LATEST), JSON.writeValueAsBytes(latest));
            prune(dir, name, keep);
            return target;
        } finally {
            if (Files.exists(tmp)) {
                deleteTree(tmp);
            }
        }
    }

    private static List<NamedTensor> named(Map<String, Tensor> tensors) {
        List<NamedTensor> out = new ArrayList<>();
        tensors.forEach((k, v) -> out.add(NamedTensor.of(k, v)));
        return out;
    }

    /** The newest complete checkpoint in {@code dir}, or null when there is none. */
    public static Path latest(Path dir) throws IOException {
        Path pointer = dir.resolve(LATEST);
        if (!Files.exists(pointer)) {
            return null;
        }
        JsonNode n = JSON.readTree(pointer.toFile());
        String name = n.path("checkpoint").asText("");
        if (!name.matches("ckpt-\\d+")) {
            throw new IOException(pointer + ": does not name a checkpoint");
        }
        Path c = dir.resolve(name);
        if (!Files.isRegularFile(c.resolve(STATE_FILE))) {
            throw new IOException(pointer + ": names " + name + ", which has no " + STATE_FILE);
        }
        return c;
    }

    /** The epoch a checkpoint would resume at (the number of epochs it completed, when it is at an epoch's end). */
    public static int epochOf(Path checkpoint) throws IOException {
        JsonNode s = JSON.readTree(checkpoint.resolve(STATE_FILE).toFile());
        if (!s.path("epoch").isInt()) {
            throw new IOException(checkpoint.resolve(STATE_FILE) + ": no epoch recorded");
        }
        return s.get("epoch").asInt();
    }

    /** Loads weights and optimiser state into {@code model} and {@code optimizer}; returns the state. */
    public static TrainingState restore(Path checkpoint, Layer model, Optimizer optimizer) throws IOException {
        JsonNode s = JSON.readTree(checkpoint.resolve(STATE_FILE).toFile());
        Path modelFile = checkpoint.resolve(MODEL_FILE);
        String recorded = Safetensors.read(modelFile).metadata().get(FROZEN_HASH);
        Map<String, Tensor> weights = tensors(modelFile, model);
        if (recorded == null) {
            model.loadStateDict(weights, true);
        } else {
            FrozenWeights.check(modelFile, recorded, weights.keySet(), model);
            model.loadStateDict(weights, false);
        }
        Map<String, Tensor> opt = tensors(checkpoint.resolve(OPTIMIZER_FILE), model);
        optimizer.restoreStateTensors(opt, s.get("optimizerSteps").asLong());
        Map<String, Long> random = new LinkedHashMap<>();
        s.path("randomState").fields().forEachRemaining(e -> random.put(e.getKey(), e.getValue().asLong()));
        model.restoreRandomState(random);
        Map<String, Double> schedule = new LinkedHashMap<>();
        s.path("scheduleState").fields().forEachRemaining(e -> schedule.put(e.getKey(), e.getValue().asDouble()));
        JsonNode p = s.path("epochProgress");
        TrainingState.EpochProgress progress = p.isObject() ? new TrainingState.EpochProgress(
                p.get("lossSum").asDouble(), p.get("correct").asLong(), p.get("seen").asLong(),
                p.get("seconds").asDouble()) : TrainingState.EpochProgress.NONE;
        return new TrainingState(s.get("epoch").asInt(), s.get("batchInEpoch").asInt(), s.get("step").asLong(),
                random, schedule, s.get("bestMetric").asDouble(), s.get("bestEpoch").asInt(),
                s.get("badEpochs").asInt(), HistoryJson.read(s.get("history")), progress);
    }

    private static Map<String, Tensor> tensors(Path file, Layer model) throws IOException {
        var backend = model.parameters().isEmpty() ? null : model.parameters().get(0).backend();
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (NamedTensor t : Safetensors.read(file).tensors()) {
            out.put(t.name(), backend == null ? Tensor.of(t.data(), t.shape()) : t.toTensor(backend));
        }
        return out;
    }

    static void writeAtomically(Path file, byte[] bytes) throws IOException {
        dev.fineturn.io.AtomicFiles.write(file, bytes);
    }

    private static void prune(Path dir, String keepNewest, int keep) throws IOException {
        List<Path> all;
        try (Stream<Path> s = Files.list(dir)) {
            all = s.filter(p -> p.getFileName().toString().matches("ckpt-\\d+"))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
        }
        for (int i = 0; i < all.size() - keep; i++) {
            if (!all.get(i).getFileName().toString().equals(keepNewest)) {
                deleteTree(all.get(i));
            }
        }
    }

    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(x -> {
                try {
                    Files.delete(x);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
