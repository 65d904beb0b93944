package dev.fineturn.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fineturn.cli.ModelFiles;
import dev.fineturn.cli.SparkJobs;
import dev.fineturn.nn.Classifier;
import dev.fineturn.train.TrainConfig;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
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
            SparkHeadTrainer trainer = headTrainer(spark);
            SparkHeadTrainer.Head head = trainer.fit(table);
            double headAccuracy = trainer.accuracy(head, table);
            Path folder = out.resolve("model");
            if (frozen < 0) {
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
            }
            Path startDir = out.resolve("start-model");
            Classifier start = SparkHeadTrainer.save(startDir, p.backbone(), head).model();
            BackboneBroadcast initial = BackboneBroadcast.of(start, p.backbone().recipeJson(), size,
                    p.backbone().backend());
            int workers = slots(spark);
            FineTuneConfig cfg = FineTuneConfig.defaults(workers, settings.epochs(), settings.batchSize())
                    .withLr(settings.lr()).withFrozen(frozen);
            cfg = cfg.withSeed(settings.seed()).withRing(spark.sparkContext().getConf().get(RING_PORTS, "0"),
                    spark.sparkContext().getConf().getInt(RING_TIMEOUT, 60_000));
            SparkFineTuner.Result r = new SparkFineTuner(spark, cfg).checkpoints(out.resolve("checkpoints"))
                    .fit(initial, images);
            Classifier trained = ExecutorModels.fresh(r.model());
            String onnx = ModelFiles.save(folder, trained, r.model().recipeJson(), head.classes()).onnxStatus();
            var last = r.history().getLast();
            if (json) {
                return JSON.createObjectNode().put("strategy", strategy).put("master", master).put("workers", workers)
                        .put("epochs", r.history().size()).put("train_loss", last.trainLoss())
                        .put("retries", r.retries()).put("model", folder.toString()).put("onnx", onnx).toString();
            }
            return String.format("%s on %s with %d workers: %d epoch(s), last training loss %.4f, %d retried; model "
                    + "saved to %s; ONNX: %s", strategy, master, workers, r.history().size(), last.trainLoss(),
                    r.retries(), folder, onnx);
        });
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
                weightsFrom(r, cfg.monitor()), folder, onnx);
    }

    /** Which epoch's weights the head holds, and why, as the local finetune says it. */
    static String weightsFrom(SparkMlpHeadTrainer.Result r, String monitor) {
        SparkMlpHeadTrainer.Epoch kept = r.history().get(r.keptEpoch());
        if (r.best() == null) {
            return String.format("the last epoch (%d), training loss %.4f, no validation", kept.epoch() + 1,
                    kept.trainLoss());
        }
        String scores = String.format("validation loss %.4f, accuracy %.4f on %d rows", kept.validationLoss(),
                kept.validationAccuracy(), r.validationRows());
        return r.keptEpoch() == r.bestEpoch()
                ? String.format("epoch %d (best validation by %s: %s)", r.bestEpoch() + 1, monitor, scores)
                : String.format("the last epoch (%d: %s; the best by %s was epoch %d)", kept.epoch() + 1, scores,
                monitor, r.bestEpoch() + 1);
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

    private interface Job {
        String run(SparkSession spark) throws Exception;
    }

    /** Runs in the active session, or in a new one for {@code master} that is stopped afterwards. */
    private static String inSession(String master, Job job) {
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
