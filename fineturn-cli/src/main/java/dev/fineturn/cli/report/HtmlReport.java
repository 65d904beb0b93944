package dev.fineturn.cli.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A small self-contained HTML page that shows the report's table and plots together. */
public final class HtmlReport {
    private HtmlReport() {
    }

    public static void write(Path file, String title, String intro, List<RunRecord> runs, String recommendation,
                             List<String> images) throws IOException {
        write(file, title, intro, runs, recommendation, images, "test");
    }

    /**
     * As above, the scores labelled as measured on {@code scoredOn} ("test" or "validation"); top-5
     * is left out for fewer than six classes, where it says nothing.
     */
    public static void write(Path file, String title, String intro, List<RunRecord> runs, String recommendation,
                             List<String> images, String scoredOn) throws IOException {
        boolean top5 = runs.stream().anyMatch(r -> r.test().confusion().length > 5);
        StringBuilder b = new StringBuilder();
        b.append("<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>").append(esc(title))
                .append("</title>\n<style>body{font-family:sans-serif;max-width:1000px;margin:2em auto;color:#222}"
                        + "table{border-collapse:collapse}td,th{padding:4px 10px;border-bottom:1px solid #ccc;"
                        + "text-align:right}td:first-child,th:first-child{text-align:left}img{max-width:100%;"
                        + "margin:1em 0;border:1px solid #ddd}pre{background:#f5f5f5;padding:1em}</style>"
                        + "</head><body>\n");
        b.append("<h1>").append(esc(title)).append("</h1>\n<p>").append(esc(intro)).append("</p>\n");
        b.append("<table><tr><th>strategy</th><th>").append(esc(scoredOn)).append(" accuracy</th>")
                .append(top5 ? "<th>top-5</th>" : "").append("<th>macro F1</th>"
                        + "<th>epochs</th><th>wall time (s)</th><th>trainable parameters</th></tr>\n");
        for (RunRecord r : runs) {
            b.append(String.format("<tr><td>%s</td><td>%.3f</td>%s<td>%.3f</td><td>%d</td><td>%.1f</td>"
                            + "<td>%,d</td></tr>%n", esc(r.name()), r.test().top1(),
                    top5 ? String.format("<td>%.3f</td>", r.test().top5()) : "", r.test().macroF1(),
                    r.fit().history().size(), r.seconds(), r.trainableParameters()));
        }
        b.append("</table>\n");
        if (runs.stream().anyMatch(r -> !r.fit().notes().isEmpty())) {
            b.append("<h2>How each run was trained</h2>\n<ul>\n");
            for (RunRecord r : runs) {
                for (String n : r.fit().notes()) {
                    b.append("<li><b>").append(esc(r.name())).append("</b>: ").append(esc(n)).append("</li>\n");
                }
            }
            b.append("</ul>\n");
        }
        if (recommendation != null) {
            b.append("<h2>Advisor</h2>\n<pre>").append(esc(recommendation)).append("</pre>\n");
        }
        for (String img : images) {
            b.append("<h2>").append(esc(img.replace(".png", "").replace('_', ' '))).append("</h2>\n<img src=\"")
                    .append(esc(img)).append("\" alt=\"").append(esc(img)).append("\">\n");
        }
        b.append("<p>Metrics per epoch: <a href=\"metrics.jsonl\">metrics.jsonl</a></p>\n</body></html>\n");
        Files.writeString(file, b.toString());
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
