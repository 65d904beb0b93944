package dev.fineturn.cli.report;

import dev.fineturn.train.EpochRecord;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/** PNG plots of the report: loss and accuracy curves per strategy, and a confusion matrix. */
public final class Charts {
    private Charts() {
    }

    /** The learning-rate range test: smoothed loss against the rate on a log axis, the suggestion marked. */
    public static void lrRange(Path file, List<Double> lrs, List<Double> loss, double suggestion) throws IOException {
        XYChart chart = new XYChartBuilder().width(760).height(440).title("Learning-rate range test")
                .xAxisTitle("head learning rate").yAxisTitle("smoothed training loss").build();
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
        chart.addSeries("loss", lrs, loss).setMarker(SeriesMarkers.NONE);
        double lo = loss.stream().mapToDouble(Double::doubleValue).min().orElse(0);
        double hi = loss.stream().mapToDouble(Double::doubleValue).max().orElse(1);
        chart.addSeries(String.format("suggested %.1e", suggestion), List.of(suggestion, suggestion), List.of(lo, hi))
                .setMarker(SeriesMarkers.NONE);
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    public static void curves(Path file, String title, String yLabel, List<RunRecord> runs,
                              ToDoubleFunction<EpochRecord> train, ToDoubleFunction<EpochRecord> validation)
            throws IOException {
        XYChart chart = new XYChartBuilder().width(760).height(440).title(title).xAxisTitle("epoch").yAxisTitle(yLabel)
                .build();
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
        for (RunRecord r : runs) {
            List<Double> x = new ArrayList<>();
            List<Double> yt = new ArrayList<>();
            List<Double> yv = new ArrayList<>();
            for (EpochRecord e : r.fit().history()) {
                x.add(e.epoch() + 1.0);
                yt.add(train.applyAsDouble(e));
                yv.add(e.validation() == null ? Double.NaN : validation.applyAsDouble(e));
            }
            if (x.isEmpty()) {
                continue;
            }
            chart.addSeries(r.name() + " (train)", x, yt).setMarker(SeriesMarkers.CIRCLE);
            if (yv.stream().noneMatch(v -> v.isNaN())) {
                chart.addSeries(r.name() + " (val)", x, yv).setMarker(SeriesMarkers.DIAMOND);
            }
        }
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    public static void confusion(Path file, String title, long[][] confusion, List<String> classes) throws IOException {
        int k = confusion.length;
        List<String> names = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            names.add(i < classes.size() ? classes.get(i) : Integer.toString(i));
        }
        List<Number[]> cells = new ArrayList<>();
        for (int t = 0; t < k; t++) {
            for (int p = 0; p < k; p++) {
                cells.add(new Number[]{p, k - 1 - t, confusion[t][p]});
            }
        }
        List<String> reversed = new ArrayList<>(names);
        java.util.Collections.reverse(reversed);
        HeatMapChart chart = new HeatMapChartBuilder().width(760).height(680).title(title).build();
        chart.getStyler().setShowValue(true);
        chart.getStyler().setPlotContentSize(1);
        chart.setXAxisTitle("predicted");
        chart.setYAxisTitle("true");
        chart.addSeries("count", names, reversed, cells);
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
