package dev.fineturn.cli;

import dev.fineturn.train.EpochRecord;
import dev.fineturn.train.TrainingListener;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;
import java.time.Duration;

/**
 * Progress for long steps: a bar with rate and ETA on a terminal, plain lines otherwise (one per
 * epoch, and feature extraction at 25% steps), nothing with --quiet.
 */
final class Progress implements TrainingListener {
    private final String label;
    private final boolean quiet;
    private final boolean terminal;
    private final PrintStream out;
    private ProgressBar bar;
    private int lastQuarter = -1;
    private long started;

    Progress(String label, boolean quiet) {
        this.label = label;
        this.quiet = quiet;
        this.terminal = System.console() != null && System.console().isTerminal();
        this.out = System.err;
    }

    private void open(String task, int total, String unit) {
        close();
        if (terminal) {
            bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setUnit(" " + unit, 1)
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).showSpeed()
                    .setMaxRenderedLength(100).setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(out))
                    .build();
        }
        started = System.nanoTime();
        lastQuarter = -1;
    }

    void close() {
        started = 0;
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }

    @Override
    public void onFeatures(int done, int total) {
        if (quiet) {
            return;
        }
        if (started == 0 || bar == null && terminal) {
            open(label + " features", total, "img");
        }
        if (bar != null) {
            bar.stepTo(done);
            if (done >= total) {
                close();
            }
            return;
        }
        if (done >= total) {
            double s = (System.nanoTime() - started) / 1e9;
            out.printf("%s: features %d/%d images (%.0f img/s)%n", label, done, total, done / Math.max(s, 1e-9));
            started = 0;
            return;
        }
        int quarter = (int) (4L * done / Math.max(1, total));
        if (quarter != lastQuarter && quarter > 0) {
            lastQuarter = quarter;
            double s = (System.nanoTime() - started) / 1e9;
            out.printf("%s: features %d/%d images (%.0f img/s)%n", label, done, total, done / Math.max(s, 1e-9));
        }
    }

    @Override
    public void onEpochStart(int epoch, int batches) {
        if (!quiet) {
            open(label + " epoch " + (epoch + 1), batches, "batch");
        }
    }

    @Override
    public void onBatch(int epoch, int batch, int batches, double loss) {
        if (bar != null) {
            bar.stepTo(batch);
            bar.setExtraMessage(String.format(" loss %.3f", loss));
        }
    }

    @Override
    public void onEpochEnd(EpochRecord r) {
        close();
        if (quiet) {
            return;
        }
        String val = r.validation() == null ? "" : String.format(", val acc %.3f, val loss %.3f",
                r.validation().top1(), r.validation().loss());
        out.printf("%s: epoch %d: train loss %.3f, train acc %.3f%s (%s)%n", label, r.epoch() + 1, r.trainLoss(),
                r.trainAccuracy(), val, format(Duration.ofMillis((long) (r.seconds() * 1000))));
    }

    static String format(Duration d) {
        long s = d.toSeconds();
        return s >= 60 ? String.format("%dm%02ds", s / 60, s % 60) : String.format("%.1fs", d.toMillis() / 1000.0);
    }
}
