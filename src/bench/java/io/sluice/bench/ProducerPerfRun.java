package io.sluice.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs one ProducerPerformance command, shows its output, and records its summary line and the
 * CPU it, the broker and everything else used meanwhile, as key=value lines for the report.
 *
 * <pre>ProducerPerfRun --prefix pp_max --result FILE --log FILE [--series FILE] [--watch kafka=PID] -- java ... ProducerPerformance ...</pre>
 *
 * <p>With {@code --series}, its progress lines become the run's records per second for the
 * report's charts. ProducerPerformance prints one line per 5-second window, so each window's
 * records are spread evenly over its seconds; its latency percentiles exist only for the whole
 * run (the summary line), so the series carries none.
 */
public final class ProducerPerfRun {

    // ProducerPerformance's closing line; its percentiles are whole milliseconds.
    private static final Pattern SUMMARY = Pattern.compile("(\\d+) records sent, ([\\d.]+) records/sec \\(([\\d.]+)"
            + " MB/sec\\), ([\\d.]+) ms avg latency, ([\\d.]+) ms max latency, (\\d+) ms 50th, (\\d+) ms 95th, (\\d+)"
            + " ms 99th, (\\d+) ms 99.9th");

    // A progress line: records sent in the last window and their rate.
    private static final Pattern WINDOW = Pattern.compile("^(\\d+) records sent, ([\\d.]+) records/sec");

    private ProducerPerfRun() {}

    public static void main(String[] argv) throws Exception {
        Args args = Args.parse(argv);
        String prefix = args.require("prefix");
        Process process =
                new ProcessBuilder(args.rest()).redirectErrorStream(true).start();
        // Stopped with the benchmark (SIGTERM, Ctrl-C), ProducerPerformance must not run on alone.
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroy));
        Map<String, Long> pids = new LinkedHashMap<>();
        pids.put("producer", process.pid());
        for (String w : args.all("watch")) {
            String[] nameAndPid = w.split("=", 2);
            pids.put(nameAndPid[0], Long.parseLong(nameAndPid[1]));
        }
        CpuMeter meter = new CpuMeter(pids, "producer");
        meter.start();
        long started = System.nanoTime();
        Timeline timeline = new Timeline(started);
        long windowStart = started;
        Matcher summary = null;
        CpuMeter.Usage usage = null;
        try (BufferedReader out =
                        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                var log = Files.newBufferedWriter(Path.of(args.require("log")), StandardCharsets.UTF_8)) {
            for (String line; (line = out.readLine()) != null; ) {
                log.write(line);
                log.newLine();
                // Its progress and its problems; the configuration dump stays in the log.
                if (line.contains("records sent") || line.contains("WARN") || line.contains("ERROR")) {
                    System.out.println("  " + line);
                }
                Matcher m = SUMMARY.matcher(line);
                if (m.find() && line.contains("99.9th")) {
                    // The closing line comes last: measure CPU before the JVM tears down.
                    usage = meter.stop();
                    summary = m;
                    continue;
                }
                Matcher window = WINDOW.matcher(line);
                if (window.find()) {
                    windowStart = spreadOverWindow(timeline, windowStart, Long.parseLong(window.group(1)));
                }
            }
        }
        int exit = process.waitFor();
        if (exit != 0 || summary == null) {
            System.err.println("ProducerPerformance failed (exit " + exit + "); see " + args.require("log"));
            System.exit(1);
        }
        String series = args.get("series", null);
        if (series != null) {
            timeline.write(Path.of(series));
        }
        Map<String, String> result = new LinkedHashMap<>();
        result.put("records", summary.group(1));
        result.put("events_per_s", summary.group(2));
        result.put("mb_per_s", summary.group(3));
        result.put("avg_ms", summary.group(4));
        result.put("max_ms", summary.group(5));
        result.put("p50_ms", summary.group(6));
        result.put("p95_ms", summary.group(7));
        result.put("p99_ms", summary.group(8));
        result.put("p999_ms", summary.group(9));
        usage.processes().forEach((k, v) -> {
            result.put("cpu." + k, String.format(Locale.ROOT, "%.3f", v[0]));
            result.put("cpu." + k + ".sys", String.format(Locale.ROOT, "%.3f", v[2]));
        });
        result.put(
                "cpu.jit",
                String.format(
                        Locale.ROOT,
                        "%.3f",
                        usage.threads().entrySet().stream()
                                .filter(e -> e.getKey().contains("CompilerThre"))
                                .mapToDouble(Map.Entry::getValue)
                                .sum()));
        result.put("cpu.other", String.format(Locale.ROOT, "%.3f", usage.other()));
        StringBuilder others = new StringBuilder();
        usage.others()
                .forEach((k, v) -> others.append(others.length() == 0 ? "" : "; ")
                        .append(k)
                        .append(' ')
                        .append(String.format(Locale.ROOT, "%.2f", v)));
        result.put("cpu.others", others.toString());
        result.put("cpu.idle", String.format(Locale.ROOT, "%.3f", usage.idle()));
        System.out.println("  cpu, cores used: " + CpuMeter.describe(usage));
        StringBuilder lines = new StringBuilder();
        result.forEach((k, v) ->
                lines.append(prefix).append('.').append(k).append('=').append(v).append('\n'));
        Files.writeString(
                Path.of(args.require("result")),
                lines,
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    /** Spreads a window's records evenly over the seconds from its start to now; returns now. */
    private static long spreadOverWindow(Timeline timeline, long windowStart, long records) {
        long now = System.nanoTime();
        long seconds = Math.max(1, Math.round((now - windowStart) / 1e9));
        long step = (now - windowStart) / seconds;
        for (long i = 0; i < seconds; i++) {
            long share = records / seconds + (i < records % seconds ? 1 : 0);
            timeline.record(windowStart + i * step + step / 2, -1, share);
        }
        return now;
    }
}
