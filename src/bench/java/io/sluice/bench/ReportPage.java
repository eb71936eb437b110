package io.sluice.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The benchmark report: one self-contained HTML page with each benchmark's table (its
 * results.md, beside its baseline) and charts drawn from its series-*.csv files: events per
 * second, latency percentiles and Sluice's memory, second by second. Also writes the tables
 * together as report.md.
 *
 * <pre>ReportPage --out DIR [--section "Title=DIR"]... [--note TEXT]...</pre>
 */
public final class ReportPage {

    private ReportPage() {}

    public static void main(String[] argv) throws Exception {
        Args args = Args.parse(argv);
        Path out = Path.of(args.require("out"));
        Files.createDirectories(out);
        StringBuilder html = new StringBuilder();
        StringBuilder markdown = new StringBuilder("# Sluice benchmark report\n\n");
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<title>Sluice benchmark report</title><style>")
                .append("body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}")
                .append("table{border-collapse:collapse;margin:1em 0;font-size:13px}")
                .append("td,th{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}")
                .append("pre{background:#f6f6f6;padding:1em;overflow-x:auto;font-size:12px}")
                .append("section{margin-bottom:3em}svg{display:block;margin:1em 0}")
                .append("</style></head><body>\n<h1>Sluice benchmark report</h1>\n");
        for (String note : args.all("note")) {
            html.append("<p>").append(SvgChart.escape(note)).append("</p>\n");
            markdown.append(note).append("\n\n");
        }
        for (String section : args.all("section")) {
            String[] titleAndDir = section.split("=", 2);
            Path dir = Path.of(titleAndDir[1]);
            html.append("<section>\n<h2>")
                    .append(SvgChart.escape(titleAndDir[0]))
                    .append("</h2>\n");
            markdown.append("## ").append(titleAndDir[0]).append("\n\n");
            Path table = dir.resolve("results.md");
            Path text = dir.resolve("results.txt");
            if (Files.exists(table)) {
                String md = Files.readString(table, StandardCharsets.UTF_8);
                html.append(MarkdownLite.toHtml(md));
                markdown.append(md.replaceAll("(?m)^#", "###")).append('\n');
            } else if (Files.exists(text)) {
                String plain = Files.readString(text, StandardCharsets.UTF_8);
                html.append("<pre>").append(SvgChart.escape(plain)).append("</pre>\n");
                markdown.append("```\n").append(plain).append("```\n\n");
            } else {
                html.append("<p>No results in ")
                        .append(SvgChart.escape(dir.toString()))
                        .append(".</p>\n");
            }
            List<SeriesFile> series = SeriesFile.readAll(dir);
            for (SvgChart chart : charts(titleAndDir[0], series)) {
                html.append(chart.render());
            }
            html.append("</section>\n");
        }
        html.append("</body></html>\n");
        Files.writeString(out.resolve("index.html"), html, StandardCharsets.UTF_8);
        Files.writeString(out.resolve("report.md"), markdown, StandardCharsets.UTF_8);
        System.out.println(
                "report: " + out.resolve("index.html") + " (tables also in " + out.resolve("report.md") + ")");
    }

    /** Events/s of every phase on one chart, then p50 and p99, then memory, where the series have them. */
    static List<SvgChart> charts(String title, List<SeriesFile> series) {
        List<String> labels = series.stream().map(SeriesFile::name).toList();
        SvgChart rate = new SvgChart(title + ": events per second", "events/s", labels);
        SvgChart latency = new SvgChart(title + ": latency, p50 (dashed) and p99 per second", "ms", labels);
        SvgChart memory = new SvgChart(title + ": Sluice's memory, used heap (dashed) and resident set", "MB", labels);
        for (SeriesFile s : series) {
            rate.add(new SvgChart.Line(s.name(), s.points("events"), false));
            latency.add(new SvgChart.Line(s.name() + " p50", s.points("p50_ms"), true));
            latency.add(new SvgChart.Line(s.name() + " p99", s.points("p99_ms"), false));
            memory.add(new SvgChart.Line(s.name() + " heap", s.points("sluice_heap_mb"), true));
            memory.add(new SvgChart.Line(s.name() + " rss", s.points("sluice_rss_mb"), false));
        }
        return Stream.of(rate, latency, memory).filter(c -> !c.isEmpty()).toList();
    }

    /** One series-NAME.csv as written by {@link Timeline}. */
    record SeriesFile(String name, List<String> header, List<String[]> rows) {

        static List<SeriesFile> readAll(Path dir) throws IOException {
            if (!Files.isDirectory(dir)) {
                return List.of();
            }
            List<SeriesFile> all = new ArrayList<>();
            try (Stream<Path> files = Files.list(dir)) {
                for (Path file : files.sorted().toList()) {
                    String fileName = file.getFileName().toString();
                    if (fileName.startsWith("series-") && fileName.endsWith(".csv")) {
                        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                        if (lines.size() > 1) {
                            all.add(new SeriesFile(
                                    fileName.substring(7, fileName.length() - 4),
                                    List.of(lines.get(0).split(",")),
                                    lines.subList(1, lines.size()).stream()
                                            .map(l -> l.split(",", -1))
                                            .toList()));
                        }
                    }
                }
            }
            return all;
        }

        /** (second, value) for every row where the column has a value. */
        List<double[]> points(String column) {
            int index = header.indexOf(column);
            List<double[]> points = new ArrayList<>();
            if (index < 0) {
                return points;
            }
            for (String[] row : rows) {
                if (index < row.length && !row[index].isEmpty()) {
                    points.add(new double[] {
                        Double.parseDouble(row[0]), Double.parseDouble(row[index].toLowerCase(Locale.ROOT))
                    });
                }
            }
            return points;
        }
    }
}
