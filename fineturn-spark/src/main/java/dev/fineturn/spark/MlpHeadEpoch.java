package dev.fineturn.spark;

import dev.fineturn.backend.Backends;
import dev.fineturn.data.Batch;
import dev.fineturn.data.BatchIterator;
import dev.fineturn.data.DataLoader;
import dev.fineturn.data.InMemoryDataset;
import dev.fineturn.io.NamedTensor;
import dev.fineturn.nn.Flatten;
import dev.fineturn.nn.Init;
import dev.fineturn.nn.MlpHead;
import dev.fineturn.nn.Sequential;
import dev.fineturn.ops.Losses;
import dev.fineturn.optim.GradClip;
import dev.fineturn.optim.Optimizer;
import dev.fineturn.optim.ParamGroup;
import dev.fineturn.optim.schedule.LrSchedule;
import dev.fineturn.optim.schedule.Schedules;
import dev.fineturn.spi.Backend;
import dev.fineturn.tensor.Tensor;
import dev.fineturn.train.TrainConfig;
import dev.fineturn.train.StandardizedFeatures;
import dev.fineturn.train.TransferSetup;
import dev.fineturn.train.linear.Standardizer;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One barrier task of one epoch of MLP head training on cached features. The rank standardises its
 * shard, visits it with the local trainer's {@link DataLoader} (seeded by the seed plus the rank),
 * and per step runs the local trainer's step: the learning rate from the schedule at the global
 * step, forward, cross-entropy, backward, then (with more than one rank) the gradient weighted by
 * the batch's rows and ring-summed, gradient clipping, and the optimiser of
 * {@link TransferSetup#optimizer}. With one rank the arithmetic is the local trainer's, bit for bit.
 */
final class MlpHeadEpoch implements BarrierStages.Task {
    private final Broadcast<MlpEpochInput> input;
    private final HeadSgdSettings settings;
    private final int epoch;
    private final String ports;
    private final int timeoutMs;
    private final String token;

    MlpHeadEpoch(Broadcast<MlpEpochInput> input, HeadSgdSettings settings, int epoch, String ports, int timeoutMs,
                 String token) {
        this.input = input;
        this.settings = settings;
        this.epoch = epoch;
        this.ports = ports;
        this.timeoutMs = timeoutMs;
        this.token = token;
    }

    @Override
    public Iterator<ReplicaState> run(Iterator<Row> rows) throws IOException {
        BarrierTaskContext ctx = BarrierTaskContext.get();
        int rank = ctx.partitionId();
        int n = ctx.getTaskInfos().length;
        MlpEpochInput in = input.value();
        TrainConfig cfg = settings.config();
        Backend backend = Backends.get(in.backend());
        InMemoryDataset data = standardized(FeatureShards.sorted(rows), in);
        MlpHead head = new MlpHead(in.features(), in.hidden(), in.classes(), Init.Scheme.HE);
        head.to(backend);
        load(head, in.head(), backend);
        Sequential net = new Sequential(new Flatten(), head);
        List<Tensor> params = head.trainableParameters();
        Optimizer optimizer = TransferSetup.optimizer(List.of(new ParamGroup("head", params, cfg.lr(),
                cfg.weightDecay())), cfg);
        restore(optimizer, in.optimizer(), in.steps(), backend);
        LrSchedule schedule = Schedules.parse(cfg.schedule(), (long) cfg.epochs() * in.stepsPerEpoch());
        schedule.restore(in.schedule());
        DataLoader loader = DataLoader.builder(data).batchSize(cfg.batchSize()).shuffle(true).seed(cfg.seed() + rank)
                .backend(backend).build();
        String address = ctx.getTaskInfos()[rank].address();
        String host = address.contains(":") ? address.substring(0, address.lastIndexOf(':')) : address;
        try (ServerSocket server = RingAllReduce.bind(host, ports, timeoutMs)) {
            String[] all = ctx.allGather(host + ":" + server.getLocalPort());
            try (RingAllReduce ring = RingAllReduce.connect(rank, all, server, token, timeoutMs);
                 BatchIterator batches = loader.epoch(epoch).iterator()) {
                net.train(true);
                long step = in.steps();
                double lossSum = 0;
                long seen = 0;
                long compute = 0;
                int gradientFloats = 0;
                for (int s = 0; s < in.stepsPerEpoch(); s++) {
                    Batch batch = batches.next();
                    long t0 = System.nanoTime();
                    long reduceBefore = ring.nanos();
                    optimizer.setLrFactor(schedule.factor(step));
                    Tensor loss = Losses.crossEntropy(net.forward(batch.images()), batch.labels(),
                            (float) cfg.labelSmoothing());
                    double l = loss.item();
                    loss.backward();
                    if (n > 1) {
                        gradientFloats = averageGradients(params, batch.size(), ring, backend);
                    }
                    if (cfg.clipNorm() > 0) {
                        GradClip.clipNorm(optimizer.parameters(), cfg.clipNorm());
                    }
                    optimizer.step();
                    optimizer.zeroGrad();
                    step++;
                    lossSum += l * batch.size();
                    seen += batch.size();
                    compute += System.nanoTime() - t0 - (ring.nanos() - reduceBefore);
                }
                ReplicaState state = new ReplicaState(
                        rank == 0 ? BackboneBroadcast.safetensorsBytes(head.stateDict()) : null,
                        rank == 0 ? BackboneBroadcast.safetensorsBytes(optimizer.stateTensors()) : null, step, rank,
                        lossSum / seen, compute, ring.nanos(), ring.bytesSent(), gradientFloats, seen);
                return List.of(state).iterator();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("MLP head, rank " + rank + " of " + n + " (" + host + "): "
                    + e.getMessage(), e);
        }
    }

    private static InMemoryDataset standardized(List<Row> shard, MlpEpochInput in) {
        InMemoryDataset raw = FeatureShards.dataset(shard, in.features(), in.classes());
        return new StandardizedFeatures(new Standardizer(in.mean(), in.std())).apply(raw);
    }

    /**
     * Replaces every gradient by the mean over all ranks' rows: each rank's gradient of its batch's
     * mean loss, times its rows, summed through the ring with the row counts, divided by all rows.
     */
    private static int averageGradients(List<Tensor> params, int rows, RingAllReduce ring, Backend backend)
            throws IOException {
        int size = 0;
        for (Tensor p : params) {
            size += (int) p.numel();
        }
        float[] flat = new float[size + 1];
        int off = 0;
        for (Tensor p : params) {
            float[] g = p.grad().toArray();
            for (int i = 0; i < g.length; i++) {
                flat[off + i] = g[i] * rows;
            }
            off += g.length;
        }
        flat[size] = rows;
        ring.sum(flat);
        float total = flat[size];
        off = 0;
        for (Tensor p : params) {
            int len = (int) p.numel();
            float[] g = new float[len];
            for (int i = 0; i < len; i++) {
                g[i] = flat[off + i] / total;
            }
            p.setGrad(Tensor.of(backend, g, p.shape()));
            off += len;
        }
        return size + 1;
    }

    static void load(MlpHead head, byte[] state, Backend backend) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (NamedTensor t : BackboneBroadcast.readSafetensors(state)) {
            m.put(t.name(), t.toTensor(backend));
        }
        var r = head.loadStateDict(m, true);
        if (!r.isComplete()) {
            throw new IllegalStateException("MLP head: the broadcast weights do not fit " + head + ": " + r);
        }
    }

    private static void restore(Optimizer optimizer, byte[] state, long steps, Backend backend) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        if (state != null) {
            for (NamedTensor t : BackboneBroadcast.readSafetensors(state)) {
                m.put(t.name(), t.toTensor(backend));
            }
        }
        optimizer.restoreStateTensors(m, steps);
    }
}
