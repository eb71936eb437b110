package io.sluice.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The benchmark's one table: Sluice's phases beside ProducerPerformance's runs on the same
 * broker, the ratios against the targets, and Sluice's memory. Reads the key=value lines the
 * other tools appended; prints plain text and, with {@code --markdown FILE}, writes markdown.
 *
 * <pre>BenchReport results.properties [--markdown FILE]...</pre>
 */
public final class BenchReport {

    static final double SINGLE_TARGET = 15_000;
    static final double SINGLE_BRIDGE_RATIO_TARGET = 3;
    static final double OPEN_P99_TARGET_MS = 20;
    static final double BATCH_RATIO_TARGET = 0.60;
    static final double BATCH_CPU_TARGET_US = 10;

    private final Map<String, String> r;

    private BenchReport(Map<String, String> results) {
        this.r = results;
    }

    public static void main(String[] argv) throws Exception {
        Args args = Args.parse(argv);
        Map<String, String> results = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of(args.positional(0, "")), StandardCharsets.UTF_8)) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                results.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        BenchReport report = new BenchReport(results);
        System.out.print(report.render(false));
        for (String file : args.all("markdown")) {
            Files.writeString(Path.of(file), report.render(true), StandardCharsets.UTF_8);
        }
    }

    private String render(boolean markdown) {
        String target = r.getOrDefault("env.target", "Sluice");
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {
            "run",
            "events/s",
            "p50 ms",
            "p99 ms",
            "max ms",
            "non-2xx",
            "CPU us/event (no JIT)",
            "cpu: sluice, bridge or producer / kafka / driver / other"
        });
        if (has("single")) {
            rows.add(sluiceRow(target + " single, closed loop, " + get("single.concurrency") + " conn", "single"));
        }
        if (has("open")) {
            rows.add(sluiceRow(
                    target + " single, open loop @ " + count(num("open.rate")) + "/s, " + get("open.concurrency")
                            + " conn",
                    "open"));
        }
        if (has("batch")) {
            rows.add(sluiceRow(
                    target + " batch x" + get("batch.batch_size") + ", closed loop, " + get("batch.concurrency")
                            + " conn (latency per request)",
                    "batch"));
        }
        if (has("batch_gzip")) {
            rows.add(sluiceRow(
                    target + " same batches gzip'd (" + get("batch_gzip.body_bytes") + " B for "
                            + get("batch_gzip.plain_bytes") + " B), " + get("batch_gzip.concurrency") + " conn",
                    "batch_gzip"));
        }
        if (has("bridge_single")) {
            rows.add(row(
                    "Kafka Bridge single, closed loop, " + get("bridge_single.concurrency") + " conn",
                    "bridge_single",
                    "bridge"));
        }
        if (has("bridge")) {
            rows.add(row(
                    "Kafka Bridge batch x" + get("bridge.batch_size") + ", closed loop, " + get("bridge.concurrency")
                            + " conn",
                    "bridge",
                    "bridge"));
        }
        if (has("pp_max")) {
            rows.add(ppRow("ProducerPerformance, unthrottled (latency includes its own queueing)", "pp_max"));
        }
        if (has("pp_open")) {
            rows.add(ppRow("ProducerPerformance @ " + count(num("pp_open.target_rate")) + "/s", "pp_open"));
        }
        if (has("pp_batch")) {
            rows.add(ppRow("ProducerPerformance @ " + count(num("pp_batch.target_rate")) + "/s", "pp_batch"));
        }

        StringBuilder out = new StringBuilder();
        String title = "Sluice ingest benchmark, " + get("env.date") + " - " + get("env.machine");
        out.append(markdown ? "### " + title + "\n\n" : "\n" + title + "\n");
        out.append(markdown ? "" : "\n")
                .append(line(
                        markdown,
                        "Everything on 127.0.0.1 on the same " + get("env.cores")
                                + " cores: load driver, Kafka broker and Sluice (and whatever else ran, shown as"
                                + " 'other'). " + get("env.note")))
                .append('\n');
        out.append(markdown ? markdownTable(rows) : textTable(rows)).append('\n');

        List<String> verdicts = new ArrayList<>();
        if (has("single")) {
            double single = num("single.events_per_s");
            verdicts.add(String.format(
                    Locale.ROOT,
                    "single-event POSTs: %s events/s (target >= %s): %s",
                    count(single),
                    count(SINGLE_TARGET),
                    single >= SINGLE_TARGET ? "met" : "SHORT"));
        }
        if (has("open")) {
            double p99 = num("open.p99_ms");
            verdicts.add(String.format(
                    Locale.ROOT,
                    "single-event p99 at %s/s (half the closed-loop rate): %.1f ms (target <= %.0f ms): %s%s",
                    count(num("open.rate")),
                    p99,
                    OPEN_P99_TARGET_MS,
                    p99 <= OPEN_P99_TARGET_MS ? "met" : "SHORT",
                    has("pp_open")
                            ? String.format(
                                    Locale.ROOT,
                                    "; ProducerPerformance at the same rate: p50 %s ms, p99 %s ms",
                                    get("pp_open.p50_ms"),
                                    get("pp_open.p99_ms"))
                            : ""));
        }
        if (has("batch") && has("pp_max")) {
            double ratio = num("batch.events_per_s") / num("pp_max.events_per_s");
            verdicts.add(String.format(
                    Locale.ROOT,
                    "%s-event batches vs ProducerPerformance: %s / %s = %.0f %% (target >= %.0f %%): %s",
                    get("batch.batch_size"),
                    count(num("batch.events_per_s")),
                    count(num("pp_max.events_per_s")),
                    100 * ratio,
                    100 * BATCH_RATIO_TARGET,
                    ratio >= BATCH_RATIO_TARGET ? "met" : "SHORT"));
        }
        if (r.containsKey("batch.cpu.sluice")) {
            double perEvent = cpuPerEvent("batch", "sluice");
            verdicts.add(String.format(
                    Locale.ROOT,
                    "CPU per batched event: %.1f us (target <= %.0f us): %s",
                    perEvent,
                    BATCH_CPU_TARGET_US,
                    perEvent <= BATCH_CPU_TARGET_US ? "met" : "SHORT"));
        }
        if (has("single") && has("bridge_single")) {
            double ratio = num("single.events_per_s") / num("bridge_single.events_per_s");
            verdicts.add(String.format(
                    Locale.ROOT,
                    "single-event POSTs vs the Kafka Bridge's: %s / %s req/s = %.1fx (target >= %.0fx): %s",
                    count(num("single.events_per_s")),
                    count(num("bridge_single.events_per_s")),
                    ratio,
                    SINGLE_BRIDGE_RATIO_TARGET,
                    ratio >= SINGLE_BRIDGE_RATIO_TARGET ? "met" : "SHORT"));
        }
        if (has("batch") && has("bridge")) {
            verdicts.add(String.format(
                    Locale.ROOT,
                    "%s-event batches vs the Kafka Bridge (HTTP to Kafka, no dedup, no auth): %s / %s = %.0f %%",
                    get("batch.batch_size"),
                    count(num("batch.events_per_s")),
                    count(num("bridge.events_per_s")),
                    100 * num("batch.events_per_s") / num("bridge.events_per_s")));
        }
        if (has("single") && has("pp_max")) {
            verdicts.add(String.format(
                    Locale.ROOT,
                    "single-event POSTs vs ProducerPerformance: %.1f %%",
                    100 * num("single.events_per_s") / num("pp_max.events_per_s")));
        }
        for (String v : verdicts) {
            out.append(markdown ? "- " : "  ").append(v).append('\n');
        }
        out.append('\n');

        List<String> notes = new ArrayList<>();
        double busiest = r.entrySet().stream()
                .filter(e -> e.getKey().endsWith(".cpu.other"))
                .mapToDouble(e -> Double.parseDouble(e.getValue()))
                .max()
                .orElse(0);
        if (busiest > 0.2) {
            notes.add(String.format(
                    Locale.ROOT,
                    "WARNING: other processes used up to %.2f of the %s cores during a measured run (column"
                            + " 'other'): the figures are lower than this machine gives on its own",
                    busiest,
                    get("env.cores")));
        }
        if (has("mem.vmhwm_kb")) {
            notes.add(String.format(
                    Locale.ROOT,
                    "Sluice memory: peak RSS (VmHWM) %s MB, RSS at the end (VmRSS) %s MB%s",
                    count(num("mem.vmhwm_kb") / 1024),
                    count(num("mem.vmrss_kb") / 1024),
                    has("mem.heap_used_kb")
                            ? String.format(
                                    Locale.ROOT,
                                    ", heap used %s MB of %s MB committed (max %s)",
                                    count(num("mem.heap_used_kb") / 1024),
                                    count(num("mem.heap_committed_kb") / 1024),
                                    get("mem.heap_max"))
                            : ""));
        }
        if (has("probe.record_value_bytes")) {
            notes.add(String.format(
                    Locale.ROOT,
                    "record Sluice writes: value %s B (%s), key %s B, headers %s B (%s);"
                            + " ProducerPerformance: --record-size %s, no key, no headers",
                    get("probe.record_value_bytes"),
                    get("probe.record_source"),
                    r.getOrDefault("probe.record_key_bytes", "?"),
                    r.getOrDefault("probe.record_header_bytes", "?"),
                    r.getOrDefault("probe.record_headers", "?"),
                    get("probe.record_value_bytes")));
            notes.add(String.format(
                    Locale.ROOT,
                    "requests: single body %s B (%s B on the wire with headers), batch of %s body %s B (%s B on the"
                            + " wire); %s distinct subjects (partition keys)",
                    get("probe.body_bytes"),
                    get("probe.request_bytes"),
                    get("probe.batch_size"),
                    get("probe.batch_body_bytes"),
                    get("probe.batch_request_bytes"),
                    get("probe.keys")));
        }
        if (has("env.producer")) {
            notes.add("producer settings (Sluice's events channel, given to ProducerPerformance too): "
                    + get("env.producer"));
        }
        if (has("env.bridge")) {
            notes.add("Kafka Bridge: " + get("env.bridge"));
        }
        if (has("env.topic")) {
            notes.add("broker: " + get("env.kafka") + "; Sluice writes to " + get("env.sluice_topic")
                    + ", ProducerPerformance to " + get("env.topic") + " (" + get("env.topic_shape") + ")");
        }
        for (String run : new String[] {"single", "open", "batch", "batch_gzip", "pp_max", "pp_open", "pp_batch"}) {
            String others = r.get(run + ".cpu.others");
            if (others != null && !others.isEmpty() && num(run + ".cpu.other") > 0.1) {
                notes.add("'other' during " + run + " (pid, command, cores): " + others);
            }
        }
        if (has("single.cpu.threads")) {
            notes.add("Sluice threads during the single-event run (cores): " + get("single.cpu.threads"));
        }
        if (has("batch.cpu.threads")) {
            notes.add("Sluice threads during the batch run (cores): " + get("batch.cpu.threads"));
        }
        for (String phase : new String[] {"single", "open", "batch", "batch_gzip"}) {
            String contract = r.get(phase + ".contract");
            if (contract != null && !contract.equals("ok")) {
                notes.add(phase + ": answer does not follow the contract: " + contract);
            }
        }
        for (String n : notes) {
            out.append(markdown ? "- " : "  ").append(n).append('\n');
        }
        return out.toString();
    }

    private String[] sluiceRow(String label, String phase) {
        return row(label, phase, "sluice");
    }

    /** A row of an HTTP run: {@code main} is the watched process whose CPU it reports. */
    private String[] row(String label, String phase, String main) {
        return new String[] {
            label,
            count(num(phase + ".events_per_s")),
            ms(phase + ".p50_ms"),
            ms(phase + ".p99_ms"),
            ms(phase + ".max_ms"),
            count(num(phase + ".non2xx") + num(phase + ".errors")),
            perEvent(phase, main),
            cpu(phase, main)
        };
    }

    private String[] ppRow(String label, String run) {
        return new String[] {
            label,
            count(num(run + ".events_per_s")),
            get(run + ".p50_ms"),
            get(run + ".p99_ms"),
            get(run + ".max_ms"),
            "-",
            perEvent(run, "producer"),
            cpu(run, "producer")
        };
    }

    /**
     * CPU time of Sluice (or of the producer) per accepted event, without the JIT compiler's
     * threads: less sensitive to a busy machine than events/s.
     */
    private String perEvent(String run, String main) {
        double perEvent = cpuPerEvent(run, main);
        return Double.isNaN(perEvent) ? "-" : String.format(Locale.ROOT, "%.1f", perEvent);
    }

    private double cpuPerEvent(String run, String main) {
        double cores = num(run + ".cpu." + main) - (r.containsKey(run + ".cpu.jit") ? num(run + ".cpu.jit") : 0);
        double rate = num(run + ".events_per_s");
        return Double.isNaN(cores) || !(rate > 0) ? Double.NaN : cores / rate * 1e6;
    }

    private String cpu(String run, String main) {
        if (!r.containsKey(run + ".cpu.other")) {
            return "-";
        }
        return String.join(
                        " / ",
                        r.getOrDefault(run + ".cpu." + main, "-"),
                        r.getOrDefault(run + ".cpu.kafka", "-"),
                        r.getOrDefault(run + ".cpu.driver", "-"),
                        r.getOrDefault(run + ".cpu.other", "-"))
                .replaceAll("(\\d\\.\\d\\d)\\d", "$1");
    }

    private String ms(String key) {
        return String.format(Locale.ROOT, "%.2f", num(key));
    }

    private boolean has(String prefix) {
        return r.keySet().stream().anyMatch(k -> k.startsWith(prefix + ".") || k.equals(prefix));
    }

    private String get(String key) {
        return r.getOrDefault(key, "?");
    }

    private double num(String key) {
        String v = r.get(key);
        return v == null ? Double.NaN : Double.parseDouble(v);
    }

    private static String count(double v) {
        return Double.isNaN(v) ? "?" : String.format(Locale.ROOT, "%,.0f", v);
    }

    private static String line(boolean markdown, String text) {
        return markdown ? text + "\n" : wrap(text, 100);
    }

    private static String wrap(String text, int width) {
        StringBuilder out = new StringBuilder();
        int column = 0;
        for (String word : text.split(" ")) {
            if (column + word.length() > width) {
                out.append('\n');
                column = 0;
            }
            out.append(column == 0 ? "" : " ").append(word);
            column += word.length() + 1;
        }
        return out.append('\n').toString();
    }

    private static String textTable(List<String[]> rows) {
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                String cell = i == 0 || i == row.length - 1
                        ? String.format("%-" + widths[i] + "s", row[i])
                        : String.format("%" + widths[i] + "s", row[i]);
                out.append(i == 0 ? "" : "  ").append(cell);
            }
            out.append('\n');
        }
        return out.toString();
    }

    private static String markdownTable(List<String[]> rows) {
        StringBuilder out = new StringBuilder();
        for (int n = 0; n < rows.size(); n++) {
            out.append("| ").append(String.join(" | ", rows.get(n))).append(" |\n");
            if (n == 0) {
                out.append("|---")
                        .append("|---:".repeat(rows.get(0).length - 2))
                        .append("|---|\n");
            }
        }
        return out.toString();
    }
}
