package io.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report draws what the series hold, and the series hold what was recorded. */
class ReportPageTest {

    @Test
    void timelineFillsEverySecondAndKeepsEachEventInItsSecond() {
        long start = 1_000_000_000L;
        Timeline timeline = new Timeline(start);
        timeline.record(start + 100_000_000L, 2_000, 1);
        timeline.record(start + 200_000_000L, 4_000, 1);
        timeline.record(start + 2_500_000_000L, 10_000, 100);
        timeline.record(start - 1, 1, 1); // before the window: not counted
        timeline.memory(start + 2_900_000_000L, "sluice_heap", 42.25);

        List<String> lines = timeline.csvLines();
        assertThat(lines).hasSize(4);
        assertThat(lines.get(0)).isEqualTo("second,events,p50_ms,p99_ms,max_ms,sluice_heap_mb");
        assertThat(lines.get(2)).isEqualTo("1,0,,,,");
        // Percentiles to the histogram's two significant digits (within 1 %).
        assertRow(lines.get(1), 0, 2, 2.0, 4.0, "");
        assertRow(lines.get(3), 2, 100, 10.0, 10.0, "42.3");
    }

    private static void assertRow(String line, int second, int events, double p50, double p99, String heap) {
        String[] cells = line.split(",", -1);
        assertThat(Integer.parseInt(cells[0])).isEqualTo(second);
        assertThat(Integer.parseInt(cells[1])).isEqualTo(events);
        assertThat(Double.parseDouble(cells[2])).isCloseTo(p50, withinPercentage(1));
        assertThat(Double.parseDouble(cells[3])).isCloseTo(p99, withinPercentage(1));
        assertThat(cells[5]).isEqualTo(heap);
    }

    @Test
    void pageHoldsTheTableAndOneLinePerSeriesInEachChart(@TempDir Path dir) throws Exception {
        Path ingest = Files.createDirectories(dir.resolve("ingest"));
        Files.writeString(
                ingest.resolve("results.md"),
                "### Ingest\n\nSome text.\n\n| run | events/s |\n|---|---:|\n| batch | 1,000 |\n\n- met\n");
        Files.write(
                ingest.resolve("series-batch.csv"),
                List.of(
                        "second,events,p50_ms,p99_ms,max_ms,sluice_heap_mb",
                        "0,900,1.0,2.0,3.0,50",
                        "1,1100,1.5,2.5,3.0,"));
        Files.write(ingest.resolve("series-pp_max.csv"), List.of("second,events,p50_ms,p99_ms,max_ms", "0,5000,,,"));
        Path out = dir.resolve("report");

        ReportPage.main(new String[] {"--out", out.toString(), "--section", "Ingest=" + ingest, "--note", "a <note>"});

        String html = Files.readString(out.resolve("index.html"));
        assertThat(html).contains("<td>batch</td><td>1,000</td>", "<li>met</li>", "a &lt;note&gt;");
        // events/s (two series), latency (batch p50 and p99), memory (batch heap): three charts.
        assertThat(html.split("<svg", -1)).hasSize(4);
        assertThat(html.split("<polyline", -1)).hasSize(1 + 2 + 2 + 1);
        assertThat(html).contains("points=\"70.0,").contains(">pp_max<");
        assertThat(Files.readString(out.resolve("report.md"))).contains("## Ingest", "| batch | 1,000 |");
    }

    @Test
    void gridStepsAreRound() {
        assertThat(SvgChart.niceStep(12_345)).isEqualTo(5_000);
        assertThat(SvgChart.niceStep(9)).isEqualTo(2);
        assertThat(SvgChart.niceStep(0.4)).isEqualTo(0.1, org.assertj.core.data.Offset.offset(1e-12));
    }
}
