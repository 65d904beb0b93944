package dev.fineturn.spark;

import org.apache.spark.sql.SparkSession;

import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * Scaling of feature extraction and of a data-parallel step from 1 to 2 executors on
 * {@code local-cluster}, every executor with {@code fineturn.cpu.threads} = cores / 2 (so an executor
 * has the same resources in both runs and the 2-executor run uses all cores), plus the
 * ring's latency and per-byte cost over loopback, and a model of 8, 64 and 512 executors from them.
 * Writes a Markdown page: {@code SparkScalingBenchmark OUT.md [images] [cores]}.
 */
public final class SparkScalingBenchmark {
    static final String CUT = "block_6_expand_relu";
    static final int SIZE = 64;
    static final int BATCH = 16;
    /** The network: {@code mobilenet_v2} (the bundled one, cut at {@link #CUT}) or {@code resnet18}. */
    static final String MODEL = System.getProperty("fineturn.bench.model", "mobilenet_v2");
    /** Leading child modules kept frozen in the data-parallel step (ResNet-18: 9 = head only, 6 = through layer2). */
    static final int FROZEN = Integer.getInteger("fineturn.bench.frozen", MODEL.equals("resnet18") ? 6 : 40);
    /** Every executor gets cores / MAX_EXECUTORS threads, in both runs: the same resources per executor. */
    static final int MAX_EXECUTORS = 2;

    record Run(int executors, double extractSeconds, double stepCompute, double stepReduce, double stepWall,
               long bytesPerStep, int gradientFloats, int steps) {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        int perClass = args.length > 1 ? Integer.parseInt(args[1]) : 40;
        int cores = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        Path work = Files.createTempDirectory("fineturn-spark-bench");
        Path images = TestImages.write(work.resolve("images"), false, 10, perClass);
        int n = 10 * perClass;
        List<Run> runs = new ArrayList<>();
        String single = System.getProperty("fineturn.bench.single");
        if (single != null && System.getProperty("fineturn.bench.only-single") != null) {
            // The 1-executor run alone, saved for a later 2-executor run (see spark_scaling.sh's CPU pinning).
            Files.writeString(Path.of(single), toLine(measure(work, images, 1, cores)));
            return;
        }
        if (single != null) {
            runs.add(fromLine(Files.readString(Path.of(single))));
        } else {
            runs.add(measure(work, images, 1, cores));
        }
        runs.add(measure(work, images, 2, cores));
        double[] ring = ringCosts(runs.getFirst().gradientFloats());
        Files.writeString(out, report(runs, ring, n, cores));
        System.out.println(Files.readString(out));
    }

    private static String toLine(Run r) {
        return String.format(Locale.ROOT, "%d %s %s %s %s %d %d %d%n", r.executors(), r.extractSeconds(),
                r.stepCompute(), r.stepReduce(), r.stepWall(), r.bytesPerStep(), r.gradientFloats(), r.steps());
    }

    private static Run fromLine(String line) {
        String[] f = line.trim().split(" ");
        return new Run(Integer.parseInt(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]),
                Double.parseDouble(f[3]), Double.parseDouble(f[4]), Long.parseLong(f[5]), Integer.parseInt(f[6]),
                Integer.parseInt(f[7]));
    }

    private static Run measure(Path work, Path images, int executors, int cores) throws Exception {
        int threads = Math.max(1, cores / MAX_EXECUTORS);
        String classPath = System.getProperty("java.class.path");
        StringBuilder absolute = new StringBuilder();
        for (String p : classPath.split(File.pathSeparator)) {
            absolute.append(absolute.isEmpty() ? "" : File.pathSeparator).append(Path.of(p).toAbsolutePath());
        }
        SparkSession spark = SparkSession.builder()
                .master("local-cluster[" + executors + ",1," + (2048 / executors) + "]")
                .appName("fineturn-scaling").config("spark.ui.enabled", "false")
                .config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1")
                .config("spark.executor.extraClassPath", absolute.toString())
                .config("spark.executor.extraJavaOptions", "--add-modules jdk.incubator.vector "
                        + "--enable-native-access=ALL-UNNAMED -Dfineturn.cpu.threads=" + threads)
                .getOrCreate();
        try {
            SparkTestSession.spark = spark;
            TestModels.Cut m = cut();
            BackboneBroadcast b = BackboneBroadcast.of(m.model(), m.recipe(), SIZE, "cpu");
            var rows = SparkFeatureExtractor.imageFolder(spark, images.toString()).repartition(2 * executors).cache();
            rows.count();
            SparkFeatureExtractor ex = new SparkFeatureExtractor(spark, b).batchSize(BATCH);
            ex.extract(rows, work.resolve("warm-" + executors).toString());
            long t0 = System.nanoTime();
            ex.extract(rows, work.resolve("features-" + executors).toString());
            double extract = (System.nanoTime() - t0) / 1e9;

            FineTuneConfig cfg = FineTuneConfig.defaults(executors, 2, BATCH).withFrozen(FROZEN)
                    .withLr(1e-3);
            SparkFineTuner.Result r = new SparkFineTuner(spark, cfg).fit(b, rows);
            SparkFineTuner.Epoch last = r.history().getLast();
            ReplicaState r0 = last.ranks().stream().filter(s -> s.rank() == 0).findFirst().orElseThrow();
            int steps = (int) (r0.images() / BATCH);
            double compute = last.ranks().stream().mapToLong(ReplicaState::computeNanos).max().orElseThrow() / 1e9
                    / steps;
            double reduce = last.ranks().stream().mapToLong(ReplicaState::allReduceNanos).max().orElseThrow() / 1e9
                    / steps;
            return new Run(executors, extract, compute, reduce, compute + reduce, r0.bytesSent() / steps,
                    r0.gradientFloats(), steps);
        } finally {
            spark.stop();
            SparkTestSession.spark = null;
        }
    }

    static TestModels.Cut cut() throws Exception {
        if (MODEL.equals("resnet18")) {
            // Timing only: the weights' values do not change the work.
            var net = dev.fineturn.models.arch.Architectures.create("resnet18", 10);
            net.to(dev.fineturn.backend.Backends.get("cpu"));
            var recipe = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
            recipe.put("numClasses", 10).put("newHead", true).put("inputSize", SIZE);
            return new TestModels.Cut(net, recipe);
        }
        if (!MODEL.equals("mobilenet_v2")) {
            throw new IllegalArgumentException("fineturn.bench.model: mobilenet_v2 or resnet18, not " + MODEL);
        }
        var l = dev.fineturn.cli.ModelFiles.open("bundled:mobilenet_v2", dev.fineturn.backend.Backends.get("cpu"));
        var recipe = l.recipe();
        var c = dev.fineturn.cli.ModelFiles.cut(l.model(), CUT, 10, SIZE, recipe);
        c.to(dev.fineturn.backend.Backends.get("cpu"));
        recipe.put("numClasses", 10).put("newHead", true).put("inputSize", SIZE);
        return new TestModels.Cut(c, recipe);
    }

    /** Seconds of a 2-rank ring all-reduce of one float (latency) and per byte sent, over loopback. */
    static double[] ringCosts(int floats) throws Exception {
        double tiny = allReduce(1, 200);
        double big = allReduce(floats, 20);
        double bytes = 2.0 * (2 - 1) / 2 * floats * 4;
        return new double[]{tiny / 2, Math.max(0, big - tiny) / bytes};
    }

    private static double allReduce(int floats, int reps) throws Exception {
        String token = RingAllReduce.token();
        ServerSocket s0 = RingAllReduce.bind("127.0.0.1", "0", 10_000);
        ServerSocket s1 = RingAllReduce.bind("127.0.0.1", "0", 10_000);
        String[] all = {"127.0.0.1:" + s0.getLocalPort(), "127.0.0.1:" + s1.getLocalPort()};
        CompletableFuture<Double> other = CompletableFuture.supplyAsync(() -> {
            try (RingAllReduce ring = RingAllReduce.connect(1, all, s1, token, 10_000)) {
                return loop(ring, floats, reps);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        double mine;
        try (RingAllReduce ring = RingAllReduce.connect(0, all, s0, token, 10_000)) {
            mine = loop(ring, floats, reps);
        }
        other.get();
        s0.close();
        s1.close();
        return mine;
    }

    private static double loop(RingAllReduce ring, int floats, int reps) throws Exception {
        float[] v = new float[floats];
        for (int i = 0; i < reps / 4; i++) {
            ring.sum(v);
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < reps; i++) {
            ring.sum(v);
        }
        return (System.nanoTime() - t0) / 1e9 / reps;
    }

    static String report(List<Run> runs, double[] ring, int images, int cores) throws Exception {
        Run one = runs.get(0);
        Run two = runs.get(1);
        StringBuilder s = new StringBuilder();
        s.append("# fineturn-spark scaling\n\n");
        s.append(String.format(Locale.ROOT, "Machine: %d cores (%s), JDK %s, Spark %s, `local-cluster[n,1,%s]` "
                        + "(separate executor JVMs), `fineturn.cpu.threads` = %d / 2 in every executor of both runs. Model: %s, "
                        + "%dx%d inputs, %d Fashion-MNIST PNG images. Data-parallel step: %d images per rank, "
                        + "first %d blocks frozen, SGD momentum 0.9. Load average at the start: %s.%s\n\n",
                cores, InetAddress.getLocalHost().getHostName(), System.getProperty("java.version"),
                org.apache.spark.package$.MODULE$.SPARK_VERSION(), "2048/n", cores,
                MODEL.equals("resnet18") ? "ResNet-18 (10 classes)" : "bundled MobileNetV2 cut at `" + CUT + "`",
                SIZE, SIZE, images, BATCH,
                FROZEN, Files.readString(Path.of("/proc/loadavg")).trim(),
                System.getProperty("fineturn.bench.pinning") == null ? ""
                        : " CPU pinning: " + System.getProperty("fineturn.bench.pinning") + "."));
        s.append("| executors | extraction images/s | step compute ms | step all-reduce ms | step images/s "
                + "| bytes sent per step and task | ring formula 2(n-1)/n S |\n| --- | --- | --- | --- | --- | --- | --- |\n");
        for (Run r : runs) {
            long formula = (long) (2.0 * (r.executors() - 1) / r.executors() * r.gradientFloats() * 4);
            s.append(String.format(Locale.ROOT, "| %d | %.1f | %.1f | %.2f | %.1f | %,d | %,d |%n", r.executors(),
                    images / r.extractSeconds(), r.stepCompute() * 1e3, r.stepReduce() * 1e3,
                    r.executors() * BATCH / r.stepWall(), r.bytesPerStep(), formula));
        }
        double effExtract = one.extractSeconds() / (2 * two.extractSeconds());
        double effStep = (2 * BATCH / two.stepWall()) / (2 * (BATCH / one.stepWall()));
        s.append(String.format(Locale.ROOT, "%nScaling efficiency T1 / (n Tn), n = 2: feature extraction %.2f (the same %d images), "
                + "data-parallel step %.2f (the per-rank batch is fixed, so n executors do n times the work of one "
                + "in a step: the efficiency is T1 / Tn per step). The step times leave out each epoch's fixed cost "
                + "(decoding the shard, the allGather of about 1 s, rebuilding the model).%n%n",
                effExtract, images, effStep));
        s.append(String.format(Locale.ROOT, "Ring over loopback: latency %.1f us per message, %.3f ns per byte "
                + "(%.2f GB/s); the gradient S = %,d floats (%,d bytes).%n%n", ring[0] * 1e6, ring[1] * 1e9,
                1 / ring[1] / 1e9, one.gradientFloats(), one.gradientFloats() * 4L));
        s.append("## Model of larger clusters\n\nA step on n executors costs the measured per-rank compute plus a ring "
                + "all-reduce of 2(n-1) messages of S/n floats: t(n) = compute + 2(n-1) (latency + S/n * 4 * "
                + "per-byte). Efficiency = compute / t(n). Loopback figures; a real network's latency and per-byte "
                + "cost (e.g. 50 us, 10 Gbit/s = 0.8 ns/B) are shown beside them. Feature extraction has no "
                + "communication: its efficiency stays at the measured 2-executor value less Spark's per-task "
                + "scheduling.\n\n| executors | all-reduce ms (loopback) | efficiency (loopback) | all-reduce ms "
                + "(50 us, 10 Gbit/s) | efficiency (10 Gbit/s) |\n| --- | --- | --- | --- | --- |\n");
        double compute = one.stepCompute();
        for (int n : new int[]{2, 8, 64, 512}) {
            double bytes = one.gradientFloats() * 4.0 / n;
            double loop = 2 * (n - 1) * (ring[0] + bytes * ring[1]);
            double net = 2 * (n - 1) * (50e-6 + bytes * 0.8e-9);
            s.append(String.format(Locale.ROOT, "| %d | %.2f | %.2f | %.2f | %.2f |%n", n, loop * 1e3,
                    compute / (compute + loop), net * 1e3, compute / (compute + net)));
        }
        return s.toString();
    }
}
