package dev.fineturn.cli.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fineturn.train.ClassificationMetrics;
import dev.fineturn.train.CrossValidation;
import dev.fineturn.train.FitResult;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The report of cross-validated configurations: {@code folds.jsonl} (one line per configuration
 * and fold), {@code sweep.jsonl} (one line per configuration with its mean, standard deviation,
 * 95% confidence interval, rank and whether it is indistinguishable from the best),
 * {@code folds.png} (every fold's score per configuration with the mean and its interval) and
 * {@code index.html}, plus the console table. Configurations that failed (e.g. diverged) are
 * listed but not ranked.
 */
public final class FoldReport {
    public static final String FOLDS = "folds.jsonl";
    public static final String SWEEP = "sweep.jsonl";
    public static final String PLOT = "folds.png";
    public static final String HTML = "index.html";
    private static final ObjectMapper JSON = new ObjectMapper();

    private FoldReport() {
    }

    /** One fold's held-out score; {@code loss} and {@code epochs} are null where they do not apply. */
    public record Fold(int fold, double accuracy, Double loss, Integer epochs, double seconds) {
    }

    /**
     * One configuration: a display name, whether it is a baseline, its settings (written to
     * sweep.jsonl) and either its folds or the reason it failed.
     */
    public record Row(String name, boolean baseline, ObjectNode settings, List<Fold> folds, String error) {
        public double[] scores() {
            return folds.stream().mapToDouble(Fold::accuracy).toArray();
        }
    }

    /** A configuration that could not be scored. */
    public static Row failed(String name, boolean baseline, ObjectNode settings, String error) {
        return new Row(name, baseline, settings, List.of(), error);
    }

    /** Each fold's held-out accuracy and loss at the epoch the cross-validation kept. */
    public static Row fromCrossValidation(String name, boolean baseline, ObjectNode settings,
                                          CrossValidation.Result cv) {
        List<Fold> folds = new ArrayList<>();
        for (int i = 0; i < cv.folds().size(); i++) {
            FitResult r = cv.folds().get(i);
            ClassificationMetrics m = r.best() != null ? r.best() : r.last().validation();
            folds.add(new Fold(i, m.top1(), m.loss(), r.history().size(), r.seconds()));
        }
        return new Row(name, baseline, settings, folds, null);
    }

    /** What {@link #write} produced: the ranking and every row. */
    public record Result(List<FoldStatistics.Ranked> ranked, List<Row> rows) {
        public Row row(String name) {
            return rows.stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
        }

        /** The best-ranked configuration that is not a baseline; null if none was scored. */
        public FoldStatistics.Ranked winner() {
            return ranked.stream().filter(r -> !row(r.name()).baseline()).findFirst().orElse(null);
        }
    }

    /** Ranks the rows and writes folds.jsonl, sweep.jsonl, folds.png and index.html into {@code dir}. */
    public static Result write(Path dir, String title, String intro, List<Row> rows) throws IOException {
        Files.createDirectories(dir);
        Map<String, double[]> scores = new LinkedHashMap<>();
        for (Row r : rows) {
            if (r.error() == null) {
                if (scores.put(r.name(), r.scores()) != null) {
                    throw new IllegalArgumentException("fold report: two configurations are named '" + r.name() + "'");
                }
            }
        }
        Result result = new Result(FoldStatistics.rank(scores), List.copyOf(rows));
        List<String> foldLines = new ArrayList<>();
        for (Row r : rows) {
            for (Fold f : r.folds()) {
                ObjectNode n = JSON.createObjectNode().put("config", r.name()).put("fold", f.fold())
                        .put("accuracy", f.accuracy());
                if (f.loss() != null) {
                    n.put("loss", f.loss());
                } else {
                    n.putNull("loss");
                }
                if (f.epochs() != null) {
                    n.put("epochs", f.epochs());
                } else {
                    n.putNull("epochs");
                }
                n.put("seconds", f.seconds()).put("baseline", r.baseline());
                foldLines.add(JSON.writeValueAsString(n));
            }
        }
        Files.write(dir.resolve(FOLDS), foldLines);
        List<String> sweepLines = new ArrayList<>();
        for (FoldStatistics.Ranked k : result.ranked()) {
            Row r = result.row(k.name());
            FoldStatistics.Summary s = k.summary();
            ObjectNode n = JSON.createObjectNode().put("config", k.name()).put("baseline", r.baseline());
            n.setAll(r.settings() == null ? JSON.createObjectNode() : r.settings());
            n.put("folds", s.n()).put("mean", s.mean());
            putNumber(n, "std", s.std());
            putNumber(n, "ci_low", s.ciLow());
            putNumber(n, "ci_high", s.ciHigh());
            n.put("rank", k.rank());
            putNumber(n, "p_vs_best", k.pVsBest());
            n.put("best", k.best()).put("indistinguishable", k.indistinguishable());
            var a = n.putArray("scores");
            for (double v : k.scores()) {
                a.add(v);
            }
            sweepLines.add(JSON.writeValueAsString(n));
        }
        for (Row r : rows) {
            if (r.error() != null) {
                ObjectNode n = JSON.createObjectNode().put("config", r.name()).put("baseline", r.baseline());
                n.setAll(r.settings() == null ? JSON.createObjectNode() : r.settings());
                n.put("error", r.error());
                sweepLines.add(JSON.writeValueAsString(n));
            }
        }
        Files.write(dir.resolve(SWEEP), sweepLines);
        if (!result.ranked().isEmpty()) {
            plot(dir.resolve(PLOT), result);
        }
        writeHtml(dir, title, intro, result, List.of());
        return result;
    }

    private static void putNumber(ObjectNode n, String key, double v) {
        if (Double.isFinite(v)) {
            n.put(key, v);
        } else {
            n.putNull(key);
        }
    }

    /** The console table, ranked by mean, with a legend. */
    public static String table(Result result) {
        int width = 13;
        for (Row r : result.rows()) {
            width = Math.max(width, r.name().length());
        }
        StringBuilder b = new StringBuilder();
        String fmt = "%-4s  %-" + width + "s  %-17s  %-18s  %s%n";
        b.append(String.format(fmt, "rank", "configuration", "accuracy mean±std", "95% CI of the mean",
                "vs best (paired t-test)"));
        for (FoldStatistics.Ranked k : result.ranked()) {
            Row r = result.row(k.name());
            FoldStatistics.Summary s = k.summary();
            b.append(String.format(fmt, k.rank(), k.name(),
                    String.format("%.4f ± %.4f", s.mean(), s.std()),
                    String.format("[%.4f, %.4f]", s.ciLow(), s.ciHigh()), verdict(k)));
        }
        for (Row r : result.rows()) {
            if (r.error() != null) {
                b.append(String.format(fmt, "-", r.name(), "failed", "",
                        r.error()));
            }
        }
        int k = result.ranked().isEmpty() ? 0 : result.ranked().get(0).summary().n();
        b.append(String.format("%d folds, the same for every configuration; * = statistically indistinguishable "
                + "from the best (p >= %.2f)", k, FoldStatistics.ALPHA));
        return b.toString();
    }

    private static String verdict(FoldStatistics.Ranked k) {
        if (k.best()) {
            return "best";
        }
        if (Double.isNaN(k.pVsBest())) {
            return "n/a";
        }
        return (k.indistinguishable() ? "* " : "  ") + String.format("p = %.3g", k.pVsBest());
    }

    /** Writes index.html with the ranking table, the plot and {@code notes} (one paragraph each). */
    public static void writeHtml(Path dir, String title, String intro, Result result, List<String> notes)
            throws IOException {
        StringBuilder b = new StringBuilder();
        b.append("<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>").append(esc(title))
                .append("</title>\n<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}"
                        + "table{border-collapse:collapse}td,th{padding:4px 10px;border-bottom:1px solid #ccc;"
                        + "text-align:right}td:nth-child(2),th:nth-child(2){text-align:left}tr.best{font-weight:bold}"
                        + "tr.baseline{color:#666}img{max-width:100%;margin:1em 0;border:1px solid #ddd}</style>"
                        + "</head><body>\n");
        b.append("<h1>").append(esc(title)).append("</h1>\n<p>").append(esc(intro)).append("</p>\n");
        b.append("<table><tr><th>rank</th><th>configuration</th><th>mean accuracy</th><th>std</th>"
                + "<th>95% CI of the mean</th><th>p vs best</th><th>indistinguishable from the best</th>"
                + "<th>fold scores</th></tr>\n");
        for (FoldStatistics.Ranked k : result.ranked()) {
            Row r = result.row(k.name());
            FoldStatistics.Summary s = k.summary();
            StringBuilder folds = new StringBuilder();
            for (double v : k.scores()) {
                folds.append(folds.isEmpty() ? "" : " ").append(String.format("%.3f", v));
            }
            b.append(String.format("<tr class=\"%s\"><td>%d</td><td>%s</td><td>%.4f</td><td>%.4f</td>"
                            + "<td>[%.4f, %.4f]</td><td>%s</td><td>%s</td><td>%s</td></tr>%n",
                    k.best() ? "best" : r.baseline() ? "baseline" : "", k.rank(),
                    esc(k.name()), s.mean(), s.std(), s.ciLow(), s.ciHigh(),
                    k.best() ? "best" : String.format("%.3g", k.pVsBest()),
                    k.best() ? "" : k.indistinguishable() ? "yes" : "no", folds));
        }
        for (Row r : result.rows()) {
            if (r.error() != null) {
                b.append("<tr><td>-</td><td>").append(esc(r.name())).append("</td><td colspan=\"6\">failed: ")
                        .append(esc(r.error())).append("</td></tr>\n");
            }
        }
        b.append("</table>\n<p>Every configuration is scored on the same folds. A configuration is "
                + "indistinguishable from the best when a paired t-test over the folds gives p &gt;= ")
                .append(FoldStatistics.ALPHA).append(". The interval is the mean &plusmn; t<sub>0.975, k-1</sub> "
                        + "&times; std / &radic;k.</p>\n");
        for (String n : notes) {
            b.append("<p>").append(esc(n)).append("</p>\n");
        }
        if (!result.ranked().isEmpty()) {
            b.append("<h2>Held-out accuracy per fold</h2>\n<img src=\"").append(PLOT)
                    .append("\" alt=\"held-out accuracy per fold and configuration\">\n");
        }
        b.append("<p>Per fold: <a href=\"").append(FOLDS).append("\">").append(FOLDS)
                .append("</a>; per configuration: <a href=\"").append(SWEEP).append("\">").append(SWEEP)
                .append("</a></p>\n</body></html>\n");
        Files.writeString(dir.resolve(HTML), b.toString());
    }

    /** Each fold's score as a dot per configuration (in rank order), with the mean and its 95% interval. */
    static void plot(Path file, Result result) throws IOException {
        List<String> names = new ArrayList<>();
        List<Double> means = new ArrayList<>();
        List<Double> halves = new ArrayList<>();
        int k = 0;
        for (FoldStatistics.Ranked r : result.ranked()) {
            names.add((r.indistinguishable() && !r.best() ? "* " : "") + r.name());
            means.add(r.summary().mean());
            double h = r.summary().halfWidth();
            halves.add(Double.isFinite(h) ? h : 0.0);
            k = Math.max(k, r.scores().length);
        }
        CategoryChart chart = new CategoryChartBuilder().width(Math.max(760, 90 * names.size())).height(480)
                .title("Held-out accuracy per fold").xAxisTitle("configuration (ranked; * = indistinguishable "
                        + "from the best)").yAxisTitle("accuracy").build();
        chart.getStyler().setDefaultSeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Scatter);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
        chart.getStyler().setXAxisLabelRotation(names.size() > 4 ? 30 : 0);
        chart.getStyler().setErrorBarsColor(java.awt.Color.BLACK);
        chart.getStyler().setMarkerSize(9);
        chart.addSeries("mean, 95% CI", names, means, halves).setMarker(SeriesMarkers.DIAMOND)
                .setMarkerColor(java.awt.Color.BLACK);
        for (int f = 0; f < k; f++) {
            List<Double> y = new ArrayList<>();
            for (FoldStatistics.Ranked r : result.ranked()) {
                y.add(f < r.scores().length ? r.scores()[f] : Double.NaN);
            }
            chart.addSeries("fold " + (f + 1), names, y).setMarker(SeriesMarkers.CIRCLE);
        }
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
