package dev.fineturn.spark;

import dev.fineturn.data.Augmentations;
import dev.fineturn.data.Batch;
import dev.fineturn.data.BatchIterator;
import dev.fineturn.data.DataLoader;
import dev.fineturn.data.Dataset;
import dev.fineturn.data.Sample;
import dev.fineturn.optim.schedule.LrSchedule;
import dev.fineturn.optim.schedule.Schedules;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;

/**
 * The body of one barrier task for one epoch: decode the shard, meet the other ranks with a single
 * {@code allGather} of "host:port", open the ring, train {@code steps} steps with the ring-reduced
 * gradient, and (rank 0) hand back the weights and the optimiser's state. The shard is served by a
 * local {@link DataLoader} (seed plus rank), so its order and its augmentation are the local
 * trainer's, and each step's rate is the schedule's at the global step, as the local trainer sets
 * it; with one rank the steps are the local trainer's.
 */
final class DataParallelEpoch implements BarrierStages.Task {
    private final Broadcast<EpochInput> input;
    private final FineTuneConfig cfg;
    private final int epoch;
    private final int attempt;
    private final int steps;
    private final String token;

    DataParallelEpoch(Broadcast<EpochInput> input, FineTuneConfig cfg, int epoch, int attempt, int steps,
                      String token) {
        this.input = input;
        this.cfg = cfg;
        this.epoch = epoch;
        this.attempt = attempt;
        this.steps = steps;
        this.token = token;
    }

    @Override
    public Iterator<ReplicaState> run(Iterator<Row> rows) throws IOException {
        BarrierTaskContext ctx = BarrierTaskContext.get();
        int rank = ctx.partitionId();
        int n = ctx.getTaskInfos().length;
        EpochInput in = input.value();
        int size = in.model().inputSize();
        List<Row> shard = new ArrayList<>();
        rows.forEachRemaining(shard::add);
        shard.sort(Comparator.<Row, String>comparing(r -> r.getString(1)).thenComparing(r -> r.getString(0)));
        List<Sample> samples = new ArrayList<>(shard.size());
        for (Row r : shard) {
            samples.add(ImageRows.decode((byte[]) r.get(2), r.getString(0), in.classes().indexOf(r.getString(1)),
                    size));
        }
        String address = ctx.getTaskInfos()[rank].address();
        String host = address.contains(":") ? address.substring(0, address.lastIndexOf(':')) : address;
        try (ServerSocket server = RingAllReduce.bind(host, cfg.ports(), cfg.timeoutMs())) {
            String[] all = ctx.allGather(host + ":" + server.getLocalPort());
            try (RingAllReduce ring = RingAllReduce.connect(rank, all, server, token, cfg.timeoutMs())) {
                Replica replica = new Replica(ExecutorModels.fresh(in.model()), cfg);
                replica.restoreOptimizer(in.optimizer(), in.steps());
                LrSchedule schedule = Schedules.parse(cfg.schedule(), (long) cfg.epochs() * steps);
                schedule.restore(in.schedule());
                DataLoader loader = loader(samples, in.classes().size(), rank, size, replica);
                double loss = 0;
                long compute = 0;
                try (BatchIterator batches = loader.epoch(epoch).iterator()) {
                    for (int s = 0; s < steps; s++) {
                        if (rank == cfg.failRank() && epoch == cfg.failEpoch() && attempt == 0 && s == 1) {
                            throw new IllegalStateException("rank " + rank + ": injected fault in epoch " + epoch
                                    + ", step " + s);
                        }
                        Batch batch = batches.next();
                        long t0 = System.nanoTime();
                        long reduceBefore = ring.nanos();
                        replica.optimizer().setLrFactor(schedule.factor(in.steps() + s));
                        if (cfg.averageEvery() == 0) {
                            loss += replica.step(batch.images(), batch.labels(), ring::sum, n);
                        } else {
                            loss += replica.step(batch.images(), batch.labels(), v -> { }, 1);
                            if (n > 1 && ((s + 1) % cfg.averageEvery() == 0 || s == steps - 1)) {
                                replica.average(ring::sum, n);
                            }
                        }
                        compute += System.nanoTime() - t0 - (ring.nanos() - reduceBefore);
                    }
                }
                ReplicaState state = new ReplicaState(
                        rank == 0 ? BackboneBroadcast.safetensorsBytes(replica.model().stateDict()) : null,
                        rank == 0 ? replica.optimizerState() : null, replica.optimizer().steps(), rank,
                        loss / steps, compute, ring.nanos(), ring.bytesSent(), replica.gradientSize(),
                        (long) steps * cfg.batchSize());
                return List.of(state).iterator();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("rank " + rank + " of " + n + " (" + host + "): " + e.getMessage(), e);
        }
    }

    /**
     * The local {@link DataLoader} over the shard: full batches in the order and with the augmentation
     * draws seeded by the seed plus the rank, and the epoch.
     */
    private DataLoader loader(List<Sample> samples, int classes, int rank, int size, Replica replica) {
        return DataLoader.builder(new Decoded(samples, classes)).batchSize(cfg.batchSize()).shuffle(cfg.shuffle())
                .seed(cfg.seed() + rank).dropLast(true).backend(replica.model().parameters().getFirst().backend())
                .transform(cfg.augment() ? Augmentations.standard(size) : null).build();
    }

    /** A rank's decoded shard, for the data loader's order. */
    private record Decoded(List<Sample> samples, int numClasses) implements Dataset {
        @Override
        public Sample get(int i) {
            return samples.get(i);
        }

        @Override
        public int[] sampleShape() {
            return samples.getFirst().shape();
        }

        @Override
        public int size() {
            return samples.size();
        }
    }
}
