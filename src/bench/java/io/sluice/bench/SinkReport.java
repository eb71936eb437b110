package io.sluice.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The sink benchmark's table, from its results file: printed as text and written as markdown
 * ({@code --markdown FILE}, repeatable).
 */
final class SinkReport {

    /** The sink's target against the raw multi-row INSERT of the same rows, in the same run. */
    private static final double TARGET_PERCENT_OF_RAW_INSERT = 60;
    /** HTTP -> row: the rate the whole path must sustain for 60 s, every second within 10 %. */
    private static final double TARGET_SUSTAINED_EVENTS_PER_S = 15_000;

    private SinkReport() {}

    static void main(SinkOptions options) throws Exception {
        Map<String, String> v = SinkOptions.readResults(Path.of(options.positional(1)));
        List<String[]> rows = new ArrayList<>();
        boolean afterWarmup = v.containsKey("sink.events_per_s_after_warmup");
        double sink = sinkRate(v, "sink");
        double raw = num(v, "raw.insert_rows_per_s");

        if (v.containsKey("preload.events")) {
            rows.add(row(
                    "1",
                    "pre-load with a KafkaProducer (acks=all, idempotent, lz4)",
                    rate(num(v, "preload.records_per_s"), "records/s"),
                    String.format(
                            Locale.ROOT,
                            "%,d events, %s-byte values, %s partitions, unique ids, 1,000 subjects as keys",
                            (long) num(v, "preload.events"),
                            v.get("preload.value_bytes"),
                            v.get("preload.partitions"))));
        }
        if (v.containsKey("sink.cold_events_per_s")) {
            rows.add(row(
                    "1",
                    "Sluice sink, the warm-up events just after start (JIT compiling)",
                    rate(num(v, "sink.cold_events_per_s"), "events/s"),
                    String.format(
                            Locale.ROOT,
                            "%,d events pre-loaded ahead of the measured ones, first to last transaction start %.2f s",
                            (long) num(v, "sink.cold_rows"),
                            num(v, "sink.cold_span_s"))));
        }
        if (v.containsKey("sink.events_per_s")) {
            String measuredAlone = afterWarmup
                    ? String.format(
                            Locale.ROOT,
                            "%.2f s; the measured rows alone, first to last: %,.0f events/s; ",
                            num(v, "sink.after_warmup_span_s"),
                            num(v, "sink.events_per_s"))
                    : "";
            rows.add(row(
                    "1",
                    afterWarmup
                            ? "**Sluice sink**, every row stored once the warm-up's count was reached (from"
                                    + " `stored_at`: warm-up rows of slower partitions and measured rows alike)"
                            : "**Sluice sink**, first stored row to the N-th (from `stored_at`)",
                    "**" + rate(sink, "events/s") + "**",
                    String.format(
                            Locale.ROOT,
                            measuredAlone
                                    + "second half of the run %,.0f events/s; CPU per event: Sluice %.0f us, PostgreSQL %.0f us,"
                                    + " Redis %.0f us; %,d rows (%,d distinct) in %,d transactions (rows"
                                    + " per transaction: median %.0f, max %s), %.1f ms per transaction; first to last"
                                    + " transaction start %.2f s; CPU in cores: %s; Sluice's threads: %s",
                            num(v, "sink.events_per_s_second_half"),
                            num(v, "sink.sluice_us_per_event"),
                            num(v, "sink.postgres_us_per_event"),
                            num(v, "sink.redis_us_per_event"),
                            (long) num(v, "sink.rows"),
                            (long) num(v, "sink.distinct"),
                            (long) num(v, "sink.transactions"),
                            num(v, "sink.rows_per_tx_median"),
                            v.get("sink.rows_per_tx_max"),
                            num(v, "sink.ms_per_tx"),
                            num(v, "sink.span_s"),
                            v.getOrDefault("sink.cpu", "n/a"),
                            v.getOrDefault("sink.sluice_threads", "n/a"))));
        }
        if (v.containsKey("raw.insert_rows_per_s")) {
            rows.add(row(
                    "1",
                    "raw multi-row INSERT of the same rows, " + v.get("raw.rows_per_statement")
                            + " rows per statement, 1 JDBC connection, autocommit"
                            + (v.containsKey("raw.insert_runs") ? " (median of " + v.get("raw.insert_runs") + ")" : ""),
                    rate(raw, "rows/s"),
                    String.format(
                            Locale.ROOT,
                            "%,d rows read back from `events`, into a table `LIKE events INCLUDING ALL`"
                                    + " (same unique constraint, index, defaults); %.2f s; CPU per row: PostgreSQL %.0f us,"
                                    + " JDBC client %.0f us; CPU in cores: %s",
                            (long) num(v, "raw.rows"),
                            num(v, "raw.insert_s"),
                            num(v, "raw.postgres_us_per_row"),
                            num(v, "raw.driver_us_per_row"),
                            v.getOrDefault("raw.insert_cpu", "n/a"))));
        }
        if (v.containsKey("raw.copy_rows_per_s")) {
            rows.add(row(
                    "1",
                    "raw COPY of the same rows (text format, 1 connection)",
                    rate(num(v, "raw.copy_rows_per_s"), "rows/s"),
                    String.format(Locale.ROOT, "same table shape; %.2f s", num(v, "raw.copy_s"))));
        }
        if (v.containsKey("sink.events_per_s") && v.containsKey("raw.insert_rows_per_s")) {
            double ratio = 100 * sink / raw;
            double defaultsMedian = defaultsMedian(v);
            if (!Double.isNaN(defaultsMedian)) {
                double medianRatio = 100 * defaultsMedian / raw;
                rows.add(row(
                        "1",
                        "**median of the sink runs with the default settings / raw multi-row INSERT**",
                        String.format(Locale.ROOT, "**%.0f %%**", medianRatio),
                        String.format(
                                Locale.ROOT,
                                "%,.0f / %,.0f; target >= %.0f %%: %s",
                                defaultsMedian,
                                raw,
                                TARGET_PERCENT_OF_RAW_INSERT,
                                medianRatio >= TARGET_PERCENT_OF_RAW_INSERT ? "met" : "NOT met")));
            }
            rows.add(row(
                    "1",
                    "**sink / raw multi-row INSERT**, the first sink run",
                    String.format(Locale.ROOT, "**%.0f %%**", ratio),
                    String.format(Locale.ROOT, "target >= %.0f %%: ", TARGET_PERCENT_OF_RAW_INSERT)
                            + (ratio >= TARGET_PERCENT_OF_RAW_INSERT ? "met" : "NOT met")
                            + (v.containsKey("raw.copy_rows_per_s")
                                    ? String.format(
                                            Locale.ROOT,
                                            "; sink / COPY %.0f %%",
                                            100 * sink / num(v, "raw.copy_rows_per_s"))
                                    : "")));
        }
        if (v.containsKey("redis_set_get.events_per_s")) {
            double perBatch = num(v, "redis_set_get.claim_ms_per_batch") + num(v, "redis_set_get.done_ms_per_batch");
            String share = v.containsKey("sink.ms_per_tx")
                    ? String.format(
                            Locale.ROOT,
                            "; that is %.0f %% of the sink's %.1f ms per transaction",
                            100 * perBatch / num(v, "sink.ms_per_tx"),
                            num(v, "sink.ms_per_tx"))
                    : "";
            rows.add(row(
                    "1",
                    "Redis alone, the sink's pattern (pipelined SET NX PX GET, then SET done), "
                            + v.get("redis_set_get.batch") + "-event batches, Vert.x Redis client, 1 connection",
                    rate(num(v, "redis_set_get.events_per_s"), "events/s"),
                    String.format(
                            Locale.ROOT,
                            "per batch %.2f ms claim + %.2f ms done%s",
                            num(v, "redis_set_get.claim_ms_per_batch"),
                            num(v, "redis_set_get.done_ms_per_batch"),
                            share)));
        }
        if (v.containsKey("redis.events_per_s")) {
            rows.add(row(
                    "1",
                    "Redis alone, two commands per claim, as against a Redis older than 7.0 (SET NX PX + GET),"
                            + " then SET done",
                    rate(num(v, "redis.events_per_s"), "events/s"),
                    String.format(
                            Locale.ROOT,
                            "per batch %.2f ms claim + %.2f ms done",
                            num(v, "redis.claim_ms_per_batch"),
                            num(v, "redis.done_ms_per_batch"))));
        }
        if (v.containsKey("decode.total_us")) {
            List<String> steps = new ArrayList<>();
            for (int i = 1; v.containsKey("decode.step" + i); i++) {
                steps.add(v.get("decode.step" + i));
            }
            rows.add(row(
                    "1",
                    "the sink's decoder alone, per record (one thread, JIT warm; the first figure is the way it takes)",
                    String.format(Locale.ROOT, "%.1f us", num(v, "decode.total_us")),
                    String.join("; ", steps)));
        }
        if (v.containsKey("sink.redis_calls")) {
            rows.add(row(
                    "1",
                    "Redis server during the sink run (INFO: whole server, other users included)",
                    String.format(Locale.ROOT, "%.2f s CPU", num(v, "sink.redis_cpu_s")),
                    String.format(
                            Locale.ROOT,
                            "%,d SET/GET calls, %.2f s inside those commands, over %.1f s of sink run",
                            (long) num(v, "sink.redis_calls"),
                            num(v, "sink.redis_command_s"),
                            num(v, "sink.span_s"))));
        }
        for (int i = 1; v.containsKey("variant" + i + ".options") || v.containsKey("again.options"); i++) {
            String prefix = v.containsKey("variant" + i + ".options") ? "variant" + i : "again";
            if (!v.containsKey(prefix + ".events_per_s")) {
                rows.add(row(
                        "1",
                        "Sluice sink with " + options(v.get(prefix + ".options")),
                        "failed",
                        v.getOrDefault(prefix + ".failed", "no figures")));
                if (prefix.equals("again")) {
                    break;
                }
                continue;
            }
            rows.add(row(
                    "1",
                    "Sluice sink with " + options(v.get(prefix + ".options")),
                    rate(sinkRate(v, prefix), "events/s"),
                    String.format(
                            Locale.ROOT,
                            "%.0f %% of the first sink run, %.0f %% of raw INSERT; second half %,.0f events/s; CPU per"
                                    + " event: Sluice %.0f us, PostgreSQL %.0f us; %,d transactions (median %.0f rows),"
                                    + " %.1f ms each; CPU in cores: %s",
                            100 * sinkRate(v, prefix) / sink,
                            100 * sinkRate(v, prefix) / raw,
                            num(v, prefix + ".events_per_s_second_half"),
                            num(v, prefix + ".sluice_us_per_event"),
                            num(v, prefix + ".postgres_us_per_event"),
                            (long) num(v, prefix + ".transactions"),
                            num(v, prefix + ".rows_per_tx_median"),
                            num(v, prefix + ".ms_per_tx"),
                            v.getOrDefault(prefix + ".cpu", "n/a"))));
            if (prefix.equals("again")) {
                break;
            }
        }
        // The same options run more than once: medians, the shared machine's noise being large.
        Map<String, List<double[]>> byOptions = new java.util.LinkedHashMap<>();
        if (v.containsKey("sink.events_per_s")) {
            byOptions
                    .computeIfAbsent(options(""), k -> new ArrayList<>())
                    .add(new double[] {sink, num(v, "sink.sluice_us_per_event")});
        }
        for (int i = 1; ; i++) {
            String prefix = "variant" + i;
            if (!v.containsKey(prefix + ".options")) {
                break;
            }
            if (v.containsKey(prefix + ".events_per_s")) {
                byOptions
                        .computeIfAbsent(options(v.get(prefix + ".options")), k -> new ArrayList<>())
                        .add(new double[] {sinkRate(v, prefix), num(v, prefix + ".sluice_us_per_event")});
            }
        }
        if (v.containsKey("again.events_per_s")) {
            byOptions
                    .computeIfAbsent(options(""), k -> new ArrayList<>())
                    .add(new double[] {sinkRate(v, "again"), num(v, "again.sluice_us_per_event")});
        }
        if (byOptions.values().stream().anyMatch(runs -> runs.size() > 1)) {
            double defaults = median(byOptions.getOrDefault(options(""), List.of()), 0);
            byOptions.forEach((opts, runs) -> rows.add(row(
                    "1",
                    "median of " + runs.size() + " sink runs with " + opts,
                    rate(median(runs, 0), "events/s"),
                    String.format(
                            Locale.ROOT,
                            "runs: %s events/s; %.0f %% of the defaults' median; Sluice CPU per event median %.0f us",
                            runs.stream()
                                    .map(r -> String.format(Locale.ROOT, "%,.0f", r[0]))
                                    .collect(java.util.stream.Collectors.joining(", ")),
                            100 * median(runs, 0) / defaults,
                            median(runs, 1)))));
        }
        if (v.containsKey("e2e.steps")) {
            rows.add(row(
                    "2",
                    "open-loop steps to find the highest sustained rate (events/s: sustained?)",
                    "",
                    v.get("e2e.steps").replace(";", "; ")));
        }
        for (String phase : List.of("overload", "max", "half")) {
            String k = "e2e." + phase + ".";
            if (!v.containsKey(k + "accepted_per_s")) {
                continue;
            }
            String label = phase.equals("overload") ? "2" : phase.equals("max") ? "2a" : "2b";
            rows.add(row(
                    label,
                    "HTTP -> row, " + v.get(k + "mode") + ": accepted / stored in the window"
                            + (phase.equals("max")
                                    ? ("true".equals(v.get(k + "sustained"))
                                                    && num(v, k + "rate") >= TARGET_SUSTAINED_EVENTS_PER_S
                                                    && num(v, k + "seconds") >= 60
                                            ? " (target >= 15,000 events/s sustained for 60 s: met)"
                                            : " (target >= 15,000 events/s sustained for 60 s: NOT met)")
                                    : ""),
                    "**" + rate(num(v, k + "accepted_per_s"), "") + "/ " + rate(num(v, k + "stored_per_s"), "events/s")
                            + "**",
                    String.format(
                            Locale.ROOT,
                            "%.0f s; %,d accepted, %,d stored, %s missing; backlog at the end %,d, drained %.1f s"
                                    + " later; failed requests %s %s; HTTP p50 %.0f ms, p99 %.0f ms; CPU in cores: %s",
                            num(v, k + "seconds"),
                            (long) num(v, k + "accepted"),
                            (long) num(v, k + "stored"),
                            v.get(k + "missing"),
                            (long) num(v, k + "backlog_at_end"),
                            num(v, k + "drain_s"),
                            v.get(k + "failed_requests"),
                            v.get(k + "statuses"),
                            num(v, k + "http_p50_ms"),
                            num(v, k + "http_p99_ms"),
                            v.getOrDefault(k + "cpu", "n/a"))));
            rows.add(row(
                    label,
                    "accept -> row latency (`stored_at - accepted_at`, SQL, over the phase's rows)",
                    String.format(
                            Locale.ROOT,
                            "**p50 %s, p99 %s**",
                            millis(num(v, k + "p50_ms")),
                            millis(num(v, k + "p99_ms"))),
                    String.format(
                                    Locale.ROOT,
                                    "p90 %s, p99.9 %s, max %s; to the start of the next transaction (bounds the commit):"
                                            + " p50 %s, p99 %s%s",
                                    millis(num(v, k + "p90_ms")),
                                    millis(num(v, k + "p999_ms")),
                                    millis(num(v, k + "max_ms")),
                                    millis(num(v, k + "p50_commit_ms")),
                                    millis(num(v, k + "p99_commit_ms")),
                                    phase.equals("half") ? "; target p99 <= 500 ms" : "")
                            + (v.containsKey(k + "seconds_within_10pct")
                                    ? String.format(
                                            Locale.ROOT,
                                            "; seconds storing within 10 %% of the offered rate: %s (slowest %,d,"
                                                    + " fastest %,d rows)",
                                            v.get(k + "seconds_within_10pct"),
                                            (long) num(v, k + "slowest_second"),
                                            (long) num(v, k + "fastest_second"))
                                    : "")
                            + (v.containsKey(k + "verdict") ? "; " + v.get(k + "verdict") : "")));
        }
        if (v.containsKey("e2e.sluice_peak_rss_kb")) {
            rows.add(row(
                    "2",
                    "Sluice's resident memory: peak over the run (VmHWM), and at the end of 2b (VmRSS)",
                    "**" + megabytes(num(v, "e2e.sluice_peak_rss_kb")) + "** peak",
                    megabytes(num(v, "e2e.sluice_rss_kb")) + " at the end; JVM options as in the note above"));
        }

        StringBuilder text = new StringBuilder();
        StringBuilder markdown = new StringBuilder();
        markdown.append("# Sluice sink benchmark\n\n");
        for (String key : List.of("env.date", "env.machine", "env.note", "env.command")) {
            if (v.containsKey(key)) {
                text.append(key.substring(4)).append(": ").append(v.get(key)).append('\n');
                markdown.append("- ")
                        .append(key.substring(4))
                        .append(": ")
                        .append(v.get(key))
                        .append('\n');
            }
        }
        markdown.append("\n| part | what | figure | detail |\n|---|---|---|---|\n");
        for (String[] r : rows) {
            text.append(String.format(
                    Locale.ROOT, "%-3s %-70s %24s%n      %s%n", r[0], plain(r[1]), plain(r[2]), plain(r[3])));
            markdown.append("| ").append(String.join(" | ", r)).append(" |\n");
        }
        System.out.print(text);
        for (String file : options.all("markdown")) {
            Files.writeString(Path.of(file), markdown, StandardCharsets.UTF_8);
        }
    }

    /**
     * A sink run's rate: with a warm-up, over every row stored once the warm-up's count was
     * reached (see SinkBenchmark.afterWarmup); without, its rows from the first to the N-th.
     */
    private static double sinkRate(Map<String, String> v, String run) {
        String afterWarmup = run + ".events_per_s_after_warmup";
        return num(v, v.containsKey(afterWarmup) ? afterWarmup : run + ".events_per_s");
    }

    /** The median rate of all sink runs with the default settings, if there was more than one. */
    private static double defaultsMedian(Map<String, String> v) {
        List<double[]> runs = new ArrayList<>();
        if (v.containsKey("sink.events_per_s")) {
            runs.add(new double[] {sinkRate(v, "sink")});
        }
        for (int i = 1; v.containsKey("variant" + i + ".options"); i++) {
            if (v.get("variant" + i + ".options").isBlank() && v.containsKey("variant" + i + ".events_per_s")) {
                runs.add(new double[] {sinkRate(v, "variant" + i)});
            }
        }
        if (v.containsKey("again.events_per_s")) {
            runs.add(new double[] {sinkRate(v, "again")});
        }
        return runs.size() > 1 ? median(runs, 0) : Double.NaN;
    }

    private static String options(String options) {
        return options == null || options.isBlank() ? "the default settings" : options;
    }

    private static double median(List<double[]> runs, int index) {
        double[] values = runs.stream().mapToDouble(r -> r[index]).sorted().toArray();
        if (values.length == 0) {
            return Double.NaN;
        }
        int mid = values.length / 2;
        return values.length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }

    private static String[] row(String part, String what, String figure, String detail) {
        return new String[] {part, what, figure, detail};
    }

    private static double num(Map<String, String> v, String key) {
        String value = v.get(key);
        return value == null ? Double.NaN : Double.parseDouble(value);
    }

    private static String rate(double value, String unit) {
        return String.format(Locale.ROOT, "%,.0f %s", value, unit);
    }

    private static String megabytes(double kilobytes) {
        return String.format(Locale.ROOT, "%,.0f MB", kilobytes / 1024);
    }

    private static String millis(double ms) {
        return ms >= 10_000
                ? String.format(Locale.ROOT, "%.1f s", ms / 1000)
                : String.format(Locale.ROOT, "%.0f ms", ms);
    }

    private static String plain(String markdown) {
        return markdown.replace("**", "").replace("`", "");
    }
}
