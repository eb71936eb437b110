package io.sluice.bench;

import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * End to end, HTTP to row: {@code POST /v1/events} in batches ({@code
 * application/cloudevents-batch+json}) against a running Sluice whose sink is on, then the
 * rows of the phase in PostgreSQL. Accept-to-row latency is {@code stored_at - accepted_at}
 * over the phase's rows, computed in SQL.
 *
 * <pre>
 * SinkLoad --url U --token KEY --jdbc J --run R --phase NAME --mode closed|open [--rate EVENTS_PER_S]
 *          [--batch-size 100 --concurrency 8 --duration 30 --warmup 10 --record-bytes 512 --keys 1000
 *           --drain-timeout 300 --sustain-p99-ms 1000 --watch name=pid --result FILE --series FILE
 *           --metrics URL]
 * </pre>
 *
 * closed: {@code --concurrency} clients, each posting its next batch when the previous one is
 * answered (the highest rate the path takes). open: batches at a fixed rate, whatever the
 * answers (latency from the intended send time), over {@code --concurrency} connections; an open
 * phase is "sustained" when Sluice accepted at least 95 % of the offered rate, stored at least
 * 95 % of the accepted rate within the window, every whole second of the window stored within
 * 10 % of the offered rate, and p99 accept -> row stayed within {@code --sustain-p99-ms}. {@code --series FILE} also writes the window second by second, from its
 * start until the phase's last row ({@link SinkSeries}): rows stored, accept -> row
 * percentiles, Sluice's memory, read from its management interface ({@code --metrics}, by
 * default the {@code --url}'s host on port 9000).
 *
 * <p>The load is driven by {@link LoadRunner}, the ingest benchmark's driver: one Vert.x event
 * loop, so the driver's own CPU stays small beside what it measures on the same cores.
 */
public final class SinkLoad {

    private static final String CONTENT_TYPE = "application/cloudevents-batch+json";

    private SinkLoad() {}

    public static void main(String[] argv) throws Exception {
        SinkOptions options = SinkOptions.parse(argv);
        try {
            run(options);
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("SinkLoad: " + e.getMessage());
            System.exit(2);
        }
        System.exit(0);
    }

    private static void run(SinkOptions options) throws Exception {
        String run = options.require("run");
        String phase = options.require("phase");
        String mode = options.get("mode", "closed");
        double rate = options.getDouble("rate", 0);
        if (!mode.equals("closed") && !(mode.equals("open") && rate > 0)) {
            throw new IllegalArgumentException("--mode closed, or --mode open with --rate > 0 (events/s)");
        }
        int batchSize = options.getInt("batch-size", 100);
        int concurrency = options.getInt("concurrency", 8);
        Duration duration = Duration.ofMillis((long) (options.getDouble("duration", 30) * 1000));
        Duration warmup = Duration.ofMillis((long) (options.getDouble("warmup", 10) * 1000));
        int bytes = options.getInt("record-bytes", 512);
        int keys = options.getInt("keys", 1000);
        LoadRunner runner = new LoadRunner(URI.create(options.require("url")), options.get("token", ""), concurrency);
        RequestOptions request = runner.options(CONTENT_TYPE);
        Load load = new Load(runner, request, mode, rate, batchSize, concurrency);

        SinkEvents warmupEvents = new SinkEvents(run, phase + "-warmup", keys, bytes, System.nanoTime());
        SinkEvents events = new SinkEvents(run, phase, keys, bytes, System.nanoTime());
        SinkCpu cpu = SinkCpu.available()
                ? new SinkCpu(options.pids(), Map.of("postgres", "postgres", "redis", "redis-server"))
                : null;
        URI management = MemorySampler.management(options.get("metrics", null), URI.create(options.require("url")));
        Window window = new Window(cpu, SinkSeries.of(options, management.toString()));
        PhaseResult answered;
        if (mode.equals("open")) {
            // Warm-up and window in one loop, back to back: a pause between them would leave the
            // window's first second short of rows, and that second would count as not sustained.
            answered = load.warmUpThenMeasure(warmupEvents, events, warmup, duration, window);
        } else {
            if (!warmup.isZero()) {
                load.warmUp(warmupEvents, warmup);
            }
            window.open();
            answered = load.measure(events, duration);
        }
        runner.close();
        SinkSeries series = window.series;
        Instant windowStart = window.start;
        double seconds = (System.nanoTime() - window.startNanos) / 1e9;
        // Every accepted event counts, including those answered just after a closed loop's window.
        List<PhaseResult> all =
                answered.afterWindow == null ? List.of(answered) : List.of(answered, answered.afterWindow);
        long accepted = all.stream().mapToLong(result -> result.events).sum();
        long failedRequests = all.stream()
                .mapToLong(result -> result.errors + result.non2xx())
                .sum();
        Map<String, Long> statuses = statusesBesides202(all);
        Instant windowEnd = windowStart.plusNanos((long) (seconds * 1e9));
        Map<String, Double> cores = cpu == null ? Map.of() : cpu.stop();
        String description = mode.equals("closed")
                ? String.format(Locale.ROOT, "closed loop, %d clients x %d-event batches", concurrency, batchSize)
                : String.format(
                        Locale.ROOT,
                        "open loop at %,.0f events/s (%,.1f batches/s of %d)",
                        rate,
                        rate / batchSize,
                        batchSize);
        System.out.printf(
                Locale.ROOT,
                "%s: %s, %.1f s: %,d events accepted (%,.0f/s), %d requests failed %s; HTTP p50 %.1f ms, p99 %.1f ms%n",
                phase,
                description,
                seconds,
                accepted,
                accepted / seconds,
                failedRequests,
                statuses,
                answered.percentileMillis(50),
                answered.percentileMillis(99));

        String prefix = SinkEvents.sourcePrefix(run, phase);
        Map<String, String> out = new LinkedHashMap<>();
        String key = "e2e." + phase + ".";
        out.put(key + "mode", description);
        if (mode.equals("open")) {
            out.put(key + "rate", SinkBenchmark.fmt(rate));
        }
        out.put(key + "seconds", SinkBenchmark.fmt(seconds));
        out.put(key + "accepted", Long.toString(accepted));
        out.put(key + "accepted_per_s", SinkBenchmark.fmt(accepted / seconds));
        out.put(key + "failed_requests", Long.toString(failedRequests));
        out.put(key + "statuses", statuses.toString());
        out.put(key + "http_p50_ms", SinkBenchmark.fmt(answered.percentileMillis(50)));
        out.put(key + "http_p99_ms", SinkBenchmark.fmt(answered.percentileMillis(99)));
        if (!cores.isEmpty()) {
            out.put(key + "cpu", SinkCpu.describe(cores));
            if (!cpu.threads().isEmpty()) {
                out.put(key + "sluice_threads", SinkCpu.describe(cpu.threads()));
            }
            if (!cpu.others().isEmpty()) {
                out.put(key + "other_processes", SinkCpu.describe(cpu.others()));
                System.out.println("  busiest other processes (cores): " + SinkCpu.describe(cpu.others()));
            }
            System.out.println("  CPU (cores) in the window: " + SinkCpu.describe(cores));
        }

        try (Connection db = SinkBenchmark.connect(options.require("jdbc"))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(options.getInt("drain-timeout", 300));
            long stored;
            while (true) {
                stored = count(db, "SELECT count(*) FROM events WHERE source LIKE ?", prefix + "%");
                if (stored >= accepted || System.nanoTime() > deadline) {
                    break;
                }
                Thread.sleep(500);
            }
            // Sampled until the phase's last row, so an overload's drain shows too.
            series.stopSampling();
            out.put(key + "stored", Long.toString(stored));
            out.put(key + "missing", Long.toString(Math.max(0, accepted - stored)));
            try (PreparedStatement sql = db.prepareStatement("""
                    WITH r AS (SELECT accepted_at, stored_at FROM events WHERE source LIKE ?),
                         tx AS (SELECT stored_at, lead(stored_at) OVER (ORDER BY stored_at) AS next_start
                                  FROM (SELECT DISTINCT stored_at FROM events
                                         WHERE stored_at >= (SELECT min(stored_at) FROM r)) s)
                    SELECT count(*),
                           percentile_cont(ARRAY[0.5, 0.9, 0.99, 0.999]) WITHIN GROUP
                               (ORDER BY extract(epoch FROM r.stored_at - r.accepted_at)),
                           max(extract(epoch FROM r.stored_at - r.accepted_at)),
                           percentile_cont(ARRAY[0.5, 0.99]) WITHIN GROUP
                               (ORDER BY extract(epoch FROM coalesce(tx.next_start, r.stored_at) - r.accepted_at)),
                           extract(epoch FROM max(r.stored_at) - ?::timestamptz),
                           (SELECT count(*) FROM events WHERE stored_at >= ? AND stored_at < ?),
                           (SELECT count(*) FROM events WHERE accepted_at < ?) - (SELECT count(*) FROM events WHERE stored_at < ?),
                           count(DISTINCT r.stored_at)
                      FROM r JOIN tx USING (stored_at)
                    """)) {
                OffsetDateTime start = windowStart.atOffset(ZoneOffset.UTC);
                OffsetDateTime end = windowEnd.atOffset(ZoneOffset.UTC);
                sql.setString(1, prefix + "%");
                sql.setObject(2, end);
                sql.setObject(3, start);
                sql.setObject(4, end);
                sql.setObject(5, end);
                sql.setObject(6, end);
                try (ResultSet r = sql.executeQuery()) {
                    r.next();
                    Double[] p = (Double[]) r.getArray(2).getArray();
                    Double[] commit = (Double[]) r.getArray(4).getArray();
                    double storedInWindow = r.getLong(6) / seconds;
                    out.put(key + "stored_per_s", SinkBenchmark.fmt(storedInWindow));
                    out.put(key + "p50_ms", SinkBenchmark.fmt(p[0] * 1000));
                    out.put(key + "p90_ms", SinkBenchmark.fmt(p[1] * 1000));
                    out.put(key + "p99_ms", SinkBenchmark.fmt(p[2] * 1000));
                    out.put(key + "p999_ms", SinkBenchmark.fmt(p[3] * 1000));
                    out.put(key + "max_ms", SinkBenchmark.fmt(r.getDouble(3) * 1000));
                    out.put(key + "p50_commit_ms", SinkBenchmark.fmt(commit[0] * 1000));
                    out.put(key + "p99_commit_ms", SinkBenchmark.fmt(commit[1] * 1000));
                    out.put(key + "drain_s", SinkBenchmark.fmt(Math.max(0, r.getDouble(5))));
                    out.put(key + "backlog_at_end", Long.toString(r.getLong(7)));
                    out.put(key + "transactions", Long.toString(r.getLong(8)));
                    if (mode.equals("open")) {
                        // Sustained: ingest took the offered rate, the sink stored what was accepted
                        // in the same window, and no queue built up (p99 accept -> row bounded).
                        double p99Limit = options.getDouble("sustain-p99-ms", 1000);
                        double acceptedPerSecond = accepted / seconds;
                        List<String> missed = new ArrayList<>();
                        if (acceptedPerSecond < 0.95 * rate) {
                            missed.add(String.format(
                                    Locale.ROOT, "accepted %,.0f/s < 95%% of offered", acceptedPerSecond));
                        }
                        if (failedRequests > 0) {
                            missed.add(failedRequests + " failed requests");
                        }
                        if (storedInWindow < 0.95 * acceptedPerSecond) {
                            missed.add(String.format(Locale.ROOT, "stored %,.0f/s < 95%% of accepted", storedInWindow));
                        }
                        if (p[2] * 1000 > p99Limit) {
                            missed.add(String.format(Locale.ROOT, "p99 %.0f ms > %.0f ms", p[2] * 1000, p99Limit));
                        }
                        Steadiness steady = steadiness(db, start, seconds, rate);
                        out.put(key + "seconds_within_10pct", steady.within() + "/" + steady.seconds());
                        out.put(key + "slowest_second", Long.toString(steady.slowest()));
                        out.put(key + "fastest_second", Long.toString(steady.fastest()));
                        System.out.printf(
                                Locale.ROOT,
                                "  seconds storing within 10 %% of the offered rate: %d of %d (slowest %,d, fastest %,d"
                                        + " rows)%n",
                                steady.within(),
                                steady.seconds(),
                                steady.slowest(),
                                steady.fastest());
                        if (steady.within() < steady.seconds()) {
                            missed.add(String.format(
                                    Locale.ROOT,
                                    "%d of %d seconds off the offered rate by more than 10 %%",
                                    steady.seconds() - steady.within(),
                                    steady.seconds()));
                        }
                        out.put(key + "sustained", Boolean.toString(missed.isEmpty()));
                        out.put(key + "verdict", missed.isEmpty() ? "sustained" : String.join("; ", missed));
                        System.out.println("  " + (missed.isEmpty() ? "sustained" : "not sustained: " + missed));
                    }
                    System.out.printf(
                            Locale.ROOT,
                            "  stored %,d of %,d accepted; stored in the window %,.0f events/s; backlog at the end %,d,"
                                    + " drained %.1f s after%n"
                                    + "  accept -> row (stored_at - accepted_at): p50 %.0f ms, p90 %.0f ms, p99 %.0f ms,"
                                    + " p99.9 %.0f ms, max %.0f ms; to the next transaction's start (commit bound):"
                                    + " p50 %.0f ms, p99 %.0f ms%n",
                            stored,
                            accepted,
                            storedInWindow,
                            r.getLong(7),
                            Math.max(0, r.getDouble(5)),
                            p[0] * 1000,
                            p[1] * 1000,
                            p[2] * 1000,
                            p[3] * 1000,
                            r.getDouble(3) * 1000,
                            commit[0] * 1000,
                            commit[1] * 1000);
                }
            }
            series.write(db, prefix + "%", true);
        }
        options.record(out);
    }

    /** How many whole seconds of the window stored within 10 % of {@code rate}, and the extremes. */
    record Steadiness(int seconds, int within, long slowest, long fastest) {}

    /**
     * Rows stored in each whole second of the window, by {@code stored_at} (a transaction's start,
     * so a second's count moves by up to one transaction's rows either way).
     */
    private static Steadiness steadiness(Connection db, OffsetDateTime start, double windowSeconds, double rate)
            throws SQLException {
        int seconds = (int) Math.floor(windowSeconds);
        long[] rows = new long[seconds];
        try (PreparedStatement sql = db.prepareStatement("""
                SELECT floor(extract(epoch FROM stored_at - ?::timestamptz))::int, count(*) FROM events
                 WHERE stored_at >= ?::timestamptz AND stored_at < ?::timestamptz + make_interval(secs => ?)
                 GROUP BY 1
                """)) {
            sql.setObject(1, start);
            sql.setObject(2, start);
            sql.setObject(3, start);
            sql.setInt(4, seconds);
            try (ResultSet r = sql.executeQuery()) {
                while (r.next()) {
                    int second = r.getInt(1);
                    if (second >= 0 && second < seconds) {
                        rows[second] = r.getLong(2);
                    }
                }
            }
        }
        int within = 0;
        long slowest = Long.MAX_VALUE;
        long fastest = 0;
        for (long n : rows) {
            if (Math.abs(n - rate) <= 0.1 * rate) {
                within++;
            }
            slowest = Math.min(slowest, n);
            fastest = Math.max(fastest, n);
        }
        return new Steadiness(seconds, within, seconds == 0 ? 0 : slowest, fastest);
    }

    private static long count(Connection db, String sql, String arg) throws Exception {
        try (PreparedStatement query = db.prepareStatement(sql)) {
            query.setString(1, arg);
            try (ResultSet r = query.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    /** The statuses other than 202, and requests that got no answer, as the report lists them. */
    private static Map<String, Long> statusesBesides202(List<PhaseResult> results) {
        Map<String, Long> statuses = new TreeMap<>();
        for (PhaseResult result : results) {
            result.statuses.forEach((status, count) -> {
                if (status != 202) {
                    statuses.merge(Integer.toString(status), count, Long::sum);
                }
            });
            if (result.errors > 0) {
                statuses.merge("no answer (" + result.firstError + ")", result.errors, Long::sum);
            }
        }
        return statuses;
    }

    /** One phase's load: closed or open loop, {@code batchSize} events per request. */
    private record Load(
            LoadRunner runner, RequestOptions request, String mode, double rate, int batchSize, int concurrency) {

        /** Unmeasured load for {@code length}; an open loop ramps up from a tenth of the rate. */
        void warmUp(SinkEvents events, Duration length) throws Exception {
            run(events, length, Duration.ZERO);
        }

        /** Load for {@code length}, every request measured, until the last answer. */
        PhaseResult measure(SinkEvents events, Duration length) throws Exception {
            return run(events, Duration.ZERO, length);
        }

        /**
         * An open loop: {@code warmupEvents} for {@code warmup}, then, without a pause,
         * {@code events} measured for {@code length}; {@code window} opens with the first of them.
         */
        PhaseResult warmUpThenMeasure(
                SinkEvents warmupEvents, SinkEvents events, Duration warmup, Duration length, Window window)
                throws Exception {
            PhaseResult result = newResult();
            LoadRunner.Requests requests = new LoadRunner.Requests() {
                @Override
                public LoadRunner.Request next(boolean measured) {
                    return new LoadRunner.Request((measured ? events : warmupEvents).batch(batchSize), batchSize);
                }

                @Override
                public void measuring() {
                    window.open();
                }
            };
            return runner.openLoop(result, request, requests, rate / batchSize, warmup, length, Map.of());
        }

        private PhaseResult run(SinkEvents events, Duration warmup, Duration measured) throws Exception {
            PhaseResult result = newResult();
            // Called on the driver's one event loop only: the generator needs no lock.
            Supplier<LoadRunner.Request> next = () -> new LoadRunner.Request(events.batch(batchSize), batchSize);
            return mode.equals("closed")
                    ? runner.closedLoop(result, request, next, concurrency, warmup, measured, Map.of())
                    : runner.openLoop(result, request, next, rate / batchSize, warmup, measured, Map.of());
        }

        private PhaseResult newResult() {
            PhaseResult result = new PhaseResult("sink-e2e", mode);
            result.afterWindow = new PhaseResult("sink-e2e, answered after the window", mode);
            return result;
        }
    }

    /**
     * The measured window: it starts when its first request goes out, and Sluice's CPU and
     * memory are read from then on. Opened on the driver's loop, read after the load ended.
     */
    private static final class Window {
        private final SinkCpu cpu;
        private final SinkSeries series;
        private volatile Instant start;
        private volatile long startNanos;

        Window(SinkCpu cpu, SinkSeries series) {
            this.cpu = cpu;
            this.series = series;
        }

        void open() {
            startNanos = System.nanoTime();
            start = Instant.now();
            if (cpu != null) {
                cpu.start();
            }
            series.start(start);
        }
    }
}
