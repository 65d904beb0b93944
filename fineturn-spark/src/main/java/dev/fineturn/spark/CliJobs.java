package dev.fineturn.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fineturn.cli.ModelFiles;
import dev.fineturn.cli.SparkJobs;
import dev.fineturn.cli.SweepCell;
import dev.fineturn.nn.Classifier;
import dev.fineturn.train.ClassificationMetrics;
import dev.fineturn.train.Strategy;
import dev.fineturn.train.TrainConfig;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

import java.nio.file.Path;
import java.util.List;

/** The {@code --spark} side of the fineturn command: feature tables and fine-tuning on a cluster. */
public final class CliJobs implements SparkJobs {
    @Override
    public String features(String master, Classifier model, ObjectNode recipe, String cut, int size, String data,
                           String out, int batchSize) {
        return inSession(master, spark -> {
            var images = SparkFeatureExtractor.imageFolder(spark, data);
            Prepared p = prepare(spark, model, recipe, cut, size, images);
            FeatureTable t = new SparkFeatureExtractor(spark, p.backbone()).batchSize(batchSize).extract(images, out);
            return String.format("%d images, %d features each, %d classes; key %s; %s %s", t.rows(), t.featureSize(),
                    t.classes().size(), t.key(), t.extracted() ? "written to" : "reused", t.path());
        });
    }

    @Override
    public String finetune(String master, Classifier model, ObjectNode recipe, String cut, int size, String data,
                           Path out, String strategy, TrainConfig settings, boolean json) {
        int frozen = frozenBlocks(strategy);
        int headHidden = settings.headHidden();
        if (headHidden > 0 && frozen >= 0) {
            throw new IllegalArgumentException("--head mlp:" + headHidden + " with --spark trains the head on the "
                    + "features (--strategy features or head); partial:K and full start from the MLlib linear head");
        }
        return inSession(master, spark -> {
            var images = SparkFeatureExtractor.imageFolder(spark, data);
            Prepared p = prepare(spark, model, recipe, cut, size, images);
            String table = out.resolve("features.parquet").toAbsolutePath().toString();
            FeatureTable t = new SparkFeatureExtractor(spark, p.backbone()).batchSize(settings.batchSize())
                    .extract(images, table);
            if (headHidden > 0) {
                return mlpHead(spark, master, p.backbone(), t, out.resolve("model"), settings, json);
            }
            if (frozen >= 0) {
                return fineTune(spark, master, p.backbone(), t, images, out, strategy, frozen, settings, json);
            }
            Path folder = out.resolve("model");
            SparkHeadTrainer trainer = headTrainer(spark);
            SparkHeadTrainer.Head head = trainer.fit(table);
            double headAccuracy = trainer.accuracy(head, table);
            String onnx = SparkHeadTrainer.save(folder, p.backbone(), head).onnx();
            if (json) {
                ObjectNode o = JSON.createObjectNode().put("strategy", strategy).put("master", master)
                        .put("head", "mllib").put("c", head.c()).put("train_accuracy", headAccuracy)
                        .put("iterations", head.iterations()).put("images", t.rows())
                        .put("model", folder.toString()).put("onnx", onnx);
                if (head.folds() > 0) {
                    o.put("folds", head.folds()).put("cv_accuracy", head.cvAccuracy().get(head.c()));
                }
                return o.toString();
            }
            return String.format("features on %s: MLlib head (C %.3g%s, %d iterations), training accuracy %.4f on "
                    + "%d images; model saved to %s; ONNX: %s", master, head.c(), chosenBy(head), head.iterations(),
                    headAccuracy, t.rows(), folder, onnx);
        });
    }

    @Override
    public CrossValidated crossValidate(String master, Classifier model, ObjectNode recipe, String cut, int size,
                                        String data, List<SweepCell> cells, int folds) {
        return inSession(master, spark -> {
            var images = SparkFeatureExtractor.imageFolder(spark, data);
            Prepared p = prepare(spark, model, recipe, cut, size, images);
            int blocks = ExecutorModels.fresh(p.backbone()).children().size();
            for (SweepCell c : cells) {
                if (!c.pixels() && c.parsedStrategy().kind() == Strategy.Kind.PARTIAL
                        && c.parsedStrategy().frozenBlocks() >= blocks) {
                    throw new IllegalArgumentException("strategy " + c.strategy() + ": the model has only " + blocks
                            + " blocks; freeze fewer than " + blocks);
                }
            }
            ImageSweep.Images all = ImageSweep.collect(images, size);
            return new CrossValidated(ImageSweep.run(spark, p.backbone(), all, cells, folds), all.paths().size(),
                    all.classes());
        });
    }

    @Override
    public Trained trainOnAll(String master, Classifier model, ObjectNode recipe, String cut, int size, String data,
                              SweepCell cell) {
        return inSession(master, spark -> {
            var images = SparkFeatureExtractor.imageFolder(spark, data);
            Prepared p = prepare(spark, model, recipe, cut, size, images);
            ImageSweep.Images all = ImageSweep.collect(images, size);
            BackboneBroadcast start = p.backbone();
            long t0 = System.nanoTime();
            byte[] weights = org.apache.spark.api.java.JavaSparkContext.fromSparkContext(spark.sparkContext())
                    .parallelize(List.of(cell), 1)
                    .map(c -> BackboneBroadcast.safetensorsBytes(ImageSweep.fit(start, all, c).stateDict()))
                    .first();
            double seconds = (System.nanoTime() - t0) / 1e9;
            Classifier trained = ExecutorModels.fresh(start.withWeights(weights, start.backboneHash()));
            return new Trained(trained, all.classes(), seconds);
        });
    }

    /**
     * {@code partial:K} and {@code full}: the MLlib head fitted on the training images' features (the
     * local trainer's probe-initialised start), then data-parallel epochs validated on the images the
     * local trainer holds out, with its schedule, best epoch and early stopping, and last the head
     * refitted on all the images as the local recipe ends ({@link #refitHead}).
     */
    private static String fineTune(SparkSession spark, String master, BackboneBroadcast backbone, FeatureTable t,
                                   org.apache.spark.sql.Dataset<Row> images, Path out, String strategy, int frozen,
                                   TrainConfig settings, boolean json) throws java.io.IOException {
        int workers = slots(spark);
        FineTuneConfig cfg = fineTuneConfig(spark, settings, workers, frozen);
        SparkHeadTrainer.Head head = startHead(spark, t, cfg);
        Classifier start = SparkHeadTrainer.save(out.resolve("start-model"), backbone, head).model();
        BackboneBroadcast initial = BackboneBroadcast.of(start, backbone.recipeJson(), backbone.inputSize(),
                backbone.backend());
        SparkFineTuner.Result r = new SparkFineTuner(spark, cfg).checkpoints(out.resolve("checkpoints"))
                .fit(initial, images);
        Path folder = out.resolve("model");
        Refit refit = r.keptBest() ? refitHead(spark, r, t, images, head, out, settings.batchSize()) : null;
        String onnx = refit != null ? SparkHeadTrainer.save(folder, r.model(), refit.head()).onnx()
                : ModelFiles.save(folder, ExecutorModels.fresh(r.model()), r.model().recipeJson(), head.classes())
                .onnxStatus();
        SparkFineTuner.Epoch last = r.history().getLast();
        ClassificationMetrics kept = r.kept();
        if (json) {
            ObjectNode o = JSON.createObjectNode().put("strategy", strategy).put("master", master)
                    .put("workers", workers).put("epochs", r.history().size())
                    .put("steps_per_epoch", r.stepsPerEpoch()).put("train_images", r.trainImages())
                    .put("validation_images", r.validationImages()).put("train_loss", last.trainLoss())
                    .put("optimizer", cfg.optimizer().name().toLowerCase(java.util.Locale.ROOT))
                    .put("augment", cfg.augment()).put("schedule", cfg.schedule()).put("last_lr", last.lr()).put("start_c", head.c());
            if (kept != null) {
                o.put("monitor", cfg.monitor()).put("best_epoch", r.bestEpoch() + 1)
                        .put("weights_from_epoch", r.keptEpoch() + 1).put("accuracy", kept.top1())
                        .put("loss", kept.loss()).put("top5", kept.top5()).put("stopped_early", r.stoppedEarly());
            }
            if (refit != null) {
                o.putObject("head_refit").put("features", refit.features()).put("c", refit.head().c())
                        .put("images", refit.images());
            }
            return o.put("retries", r.retries()).put("model", folder.toString()).put("onnx", onnx).toString();
        }
        return String.format("%s on %s with %d workers: %d epoch(s) of %d steps on %d images%s, last training loss "
                        + "%.4f; weights from %s; %s%d retried; model saved to %s; ONNX: %s", strategy, master,
                workers, r.history().size(), r.stepsPerEpoch(), r.trainImages(),
                r.stoppedEarly() ? ", stopped early" : "", last.trainLoss(), weightsFrom(r.keptEpoch(), r.bestEpoch(),
                        kept, cfg.monitor(), r.validationImages() + " images", "the MLlib start", r.history().size(),
                        last.trainLoss()),
                refit == null ? "" : String.format("head refitted on the %s features of all %d images (C %.3g); ",
                        refit.features(), refit.images(), refit.head().c()),
                r.retries(), folder, onnx);
    }

    /**
     * The head refitted at the end of fine-tuning.
     *
     * @param features "fine-tuned" or "pretrained": the layers below the head the features came from
     * @param images   images the head was fitted on: every image, the held-out ones included
     */
    private record Refit(SparkHeadTrainer.Head head, String features, long images) {
    }

    /**
     * The last step of the local recipe: with the layers below settled, the head is fitted to
     * convergence on the features of every image, the held-out ones included, since they only served
     * to pick the epoch. After an epoch that beat the start the head keeps the start's C (a new
     * cross-validation on images the layers were just trained on would trust them too much); when
     * the start was kept, C is chosen again on the pretrained features of all the images, which is
     * what the features strategy fits.
     */
    private static Refit refitHead(SparkSession spark, SparkFineTuner.Result r, FeatureTable pretrained,
                                   org.apache.spark.sql.Dataset<Row> images, SparkHeadTrainer.Head start, Path out,
                                   int batchSize) {
        if (r.keptEpoch() < 0) {
            return new Refit(headTrainer(spark).fit(pretrained.path()), "pretrained", pretrained.rows());
        }
        String table = out.resolve("tuned-features.parquet").toAbsolutePath().toString();
        BackboneBroadcast kept = r.model();
        // Rebuilt, so that the table's key names the fine-tuned backbone's weights by their hash.
        BackboneBroadcast keyed = BackboneBroadcast.of(ExecutorModels.fresh(kept), kept.recipeJson(), kept.inputSize(),
                kept.backend());
        FeatureTable tuned = new SparkFeatureExtractor(spark, keyed).batchSize(batchSize).extract(images, table);
        return new Refit(new SparkHeadTrainer(spark).c(start.c()).fit(tuned.path()), "fine-tuned", tuned.rows());
    }

    /**
     * The command's settings as the local finetune applies them ({@link FineTuneConfig#recipe}: the
     * optimiser with its layer-wise rates, schedule, epochs, batch size per worker, seed, validation
     * split, monitor, patience and best-epoch restore), the standard augmentation when the command
     * augments, the ring from the session's configuration.
     */
    private static FineTuneConfig fineTuneConfig(SparkSession spark, TrainConfig settings, int workers, int frozen) {
        var conf = spark.sparkContext().getConf();
        return FineTuneConfig.recipe(workers, settings, frozen).withAugmentation(settings.trainTransform() != null)
                .withRing(conf.get(RING_PORTS, "0"), conf.getInt(RING_TIMEOUT, 60_000));
    }

    /**
     * The MLlib head that fine-tuning starts from, fitted on the features of the training images
     * only, so the held-out images stay unseen, as the local trainer fits its probe on its training split.
     */
    private static SparkHeadTrainer.Head startHead(SparkSession spark, FeatureTable t, FineTuneConfig cfg) {
        if (cfg.validationFraction() == 0) {
            return headTrainer(spark).fit(t.path());
        }
        try (LocalSplit.Parts split = LocalSplit.of(spark, FeatureShards.inLocalOrder(spark, t.path()),
                cfg.validationFraction(), cfg.seed())) {
            JavaRDD<Row> rows = split.train().map(r -> RowFactory.create(r.getInt(1), r.get(2)));
            return headTrainer(spark).fit(rows, t.classes());
        }
    }

    /**
     * The features strategy's MLP head, trained by data-parallel SGD on the table and validated on
     * the local trainer's split of it, as a model folder.
     */
    private static String mlpHead(SparkSession spark, String master, BackboneBroadcast backbone, FeatureTable t,
                                  Path folder, TrainConfig settings, boolean json) throws java.io.IOException {
        TrainConfig cfg = settings.with(b -> b.headSolver = TrainConfig.HeadSolver.SGD);
        var conf = spark.sparkContext().getConf();
        Classifier model = ExecutorModels.fresh(backbone);
        int workers = slots(spark);
        SparkMlpHeadTrainer.Result r = new SparkMlpHeadTrainer(spark, cfg, workers)
                .ring(conf.get(RING_PORTS, "0"), conf.getInt(RING_TIMEOUT, 60_000))
                .fit(model, t.path());
        String onnx = ModelFiles.save(folder, model, backbone.recipeJson(), t.classes()).onnxStatus();
        SparkMlpHeadTrainer.Epoch kept = r.history().get(r.keptEpoch());
        if (json) {
            ObjectNode o = JSON.createObjectNode().put("strategy", "features").put("master", master)
                    .put("head", r.head().toString()).put("workers", workers).put("epochs", r.history().size())
                    .put("steps_per_epoch", r.stepsPerEpoch()).put("train_rows", r.trainRows())
                    .put("validation_rows", r.validationRows()).put("train_loss", kept.trainLoss());
            if (r.best() != null) {
                o.put("monitor", cfg.monitor()).put("best_epoch", r.bestEpoch() + 1)
                        .put("weights_from_epoch", r.keptEpoch() + 1).put("accuracy", kept.validationAccuracy())
                        .put("loss", kept.validationLoss()).put("top5", kept.validation().top5())
                        .put("stopped_early", r.stoppedEarly());
            }
            return o.put("model", folder.toString()).put("onnx", onnx).toString();
        }
        return String.format("features on %s: %s by data-parallel SGD with %d workers, %d epoch(s) of %d steps on %d "
                        + "rows%s; weights from %s; model saved to %s; ONNX: %s", master, r.head(), workers,
                r.history().size(), r.stepsPerEpoch(), r.trainRows(), r.stoppedEarly() ? ", stopped early" : "",
                weightsFrom(r.keptEpoch(), r.bestEpoch(), r.best() == null ? null : kept.validation(), cfg.monitor(),
                        r.validationRows() + " rows", "the start", r.history().size(), kept.trainLoss()), folder, onnx);
    }

    /**
     * Which epoch's weights the model holds, and why, as the local finetune says it.
     *
     * @param keptEpoch the epoch (0-based) whose weights are kept; -1: the start
     * @param bestEpoch the best epoch by the monitor; -1: the start
     * @param kept      the kept weights' validation scores, null without validation
     * @param on        what was validated on, e.g. "6 images"
     * @param start     what the start is called
     */
    static String weightsFrom(int keptEpoch, int bestEpoch, ClassificationMetrics kept, String monitor, String on,
                              String start, int epochs, double lastTrainLoss) {
        if (kept == null) {
            return String.format("the last epoch (%d), training loss %.4f, no validation", epochs, lastTrainLoss);
        }
        String scores = String.format("validation loss %.4f, accuracy %.4f on %s", kept.loss(), kept.top1(), on);
        if (keptEpoch == bestEpoch) {
            return bestEpoch < 0 ? String.format("%s (no epoch improved on it by %s: %s)", start, monitor, scores)
                    : String.format("epoch %d (best validation by %s: %s)", bestEpoch + 1, monitor, scores);
        }
        return String.format("the last epoch (%d: %s; the best by %s was %s)", keptEpoch + 1, scores, monitor,
                bestEpoch < 0 ? start : "epoch " + (bestEpoch + 1));
    }

    private static int slots(SparkSession spark) {
        return Math.max(1, spark.sparkContext().defaultParallelism()
                / spark.sparkContext().getConf().getInt("spark.task.cpus", 1));
    }

    private static String chosenBy(SparkHeadTrainer.Head head) {
        return head.folds() == 0 ? "" : String.format(" chosen by %d-fold cross-validation, held-out accuracy %.4f",
                head.folds(), head.cvAccuracy().get(head.c()));
    }

    /**
     * C chosen by cross-validation ({@code spark.fineturn.head.folds}, default 5) as the local
     * finetune chooses it, or fixed by {@code spark.fineturn.head.c}.
     */
    static SparkHeadTrainer headTrainer(SparkSession spark) {
        SparkHeadTrainer t = new SparkHeadTrainer(spark);
        String c = spark.conf().get(HEAD_C, "");
        String folds = spark.conf().get(HEAD_FOLDS, "5");
        try {
            return c.isBlank() ? t.folds(Integer.parseInt(folds.trim())) : t.c(Double.parseDouble(c.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(HEAD_C + " '" + c + "' or " + HEAD_FOLDS + " '" + folds
                    + "' is not a number");
        }
    }

    static final String HEAD_C = "spark.fineturn.head.c";
    static final String RING_PORTS = "spark.fineturn.ring.ports";
    static final String RING_TIMEOUT = "spark.fineturn.ring.timeoutMs";
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String HEAD_FOLDS = "spark.fineturn.head.folds";

    /** -1 for the head-only strategies, else the leading blocks kept frozen. */
    static int frozenBlocks(String strategy) {
        String s = strategy.toLowerCase(java.util.Locale.ROOT);
        if (s.equals("features") || s.equals("head") || s.equals("auto")) {
            return -1;
        }
        if (s.equals("full")) {
            return 0;
        }
        if (s.startsWith("partial:")) {
            try {
                return Integer.parseInt(s.substring(8));
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw new IllegalArgumentException("--strategy " + strategy + " with --spark: expected features, head, "
                + "partial:K or full");
    }

    private record Prepared(BackboneBroadcast backbone, List<String> classes) {
    }

    /** The model with a new head for the data's classes, as the local finetune makes it. */
    private static Prepared prepare(SparkSession spark, Classifier model, ObjectNode recipe, String cut, int size,
                                    org.apache.spark.sql.Dataset<Row> images) {
        List<String> classes = images.select("label").distinct().as(Encoders.STRING()).collectAsList().stream()
                .sorted().toList();
        Classifier net = model;
        if (cut != null) {
            net = ModelFiles.cut(net, cut, classes.size(), size, recipe);
        } else {
            net.replaceHead(classes.size());
        }
        net.to(model.parameters().getFirst().backend());
        recipe.put("numClasses", classes.size()).put("newHead", true).put("inputSize", size);
        return new Prepared(BackboneBroadcast.of(net, recipe, size, net.parameters().getFirst().backend().name()),
                classes);
    }

    private interface Job<T> {
        T run(SparkSession spark) throws Exception;
    }

    /** Runs in the active session, or in a new one for {@code master} that is stopped afterwards. */
    private static <T> T inSession(String master, Job<T> job) {
        SparkSession active = SparkSession.getActiveSession().getOrElse(() -> null);
        SparkSession spark = active != null ? active
                : SparkSession.builder().master(master).appName("fineturn").getOrCreate();
        try {
            return job.run(spark);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        } finally {
            if (active == null) {
                spark.stop();
            }
        }
    }
}
