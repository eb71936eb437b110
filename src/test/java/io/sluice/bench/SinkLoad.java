package io.sluice.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * End to end, HTTP to row: {@code POST /v1/events} in batches ({@code
 * application/cloudevents-batch+json}) against a running Sluice whose sink is on, then the
 * rows of the phase in PostgreSQL. Accept-to-row latency is {@code stored_at - accepted_at}
 * over the phase's rows, computed in SQL.
 *
 * <pre>
 * SinkLoad --url U --token KEY --jdbc J --run R --phase NAME --mode closed|open [--rate EVENTS_PER_S]
 *          [--batch-size 100 --concurrency 8 --duration 30 --warmup 10 --record-bytes 512 --keys 1000
 *           --drain-timeout 300 --sustain-p99-ms 1000 --watch name=pid --result FILE --series FILE]
 * </pre>
 *
 * closed: {@code --concurrency} clients, each posting its next batch when the previous one is
 * answered (the highest rate the path takes). open: batches at a fixed rate, whatever the
 * answers (latency from the intended send time), up to {@code --concurrency} at once; an open
 * phase is "sustained" when Sluice accepted at least 95 % of the offered rate, stored at least
 * 95 % of the accepted rate within the window, every whole second of the window stored within
 * 10 % of the offered rate, and p99 accept -> row stayed within {@code --sustain-p99-ms}. {@code --series FILE} also writes the window second by second, from its
 * start until the phase's last row ({@link SinkSeries}): rows stored, accept -> row
 * percentiles, Sluice's memory.
 */
public final class SinkLoad {

    private static final String CONTENT_TYPE = "application/cloudevents-batch+json";

    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final URI url;
    private final String authorization;
    private final int batchSize;
    private final int concurrency;

    /** What one phase saw from the client side. */
    private static final class Tally {
        long requests;
        long acceptedEvents;
        long failedRequests;
        final Map<String, Long> statuses = new TreeMap<>();
        long[] latencies = new long[1024];
        int latencyCount;

        synchronized void record(String status, long accepted, long nanos) {
            requests++;
            acceptedEvents += accepted;
            if (!status.equals("202")) {
                statuses.merge(status, 1L, Long::sum);
                if (accepted == 0) {
                    failedRequests++;
                }
            }
            if (latencyCount == latencies.length) {
                latencies = Arrays.copyOf(latencies, latencies.length * 2);
            }
            latencies[latencyCount++] = nanos;
        }

        synchronized double percentileMillis(double p) {
            if (latencyCount == 0) {
                return Double.NaN;
            }
            long[] sorted = Arrays.copyOf(latencies, latencyCount);
            Arrays.sort(sorted);
            int index = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
            return sorted[Math.max(0, index)] / 1e6;
        }
    }

    private SinkLoad(URI url, String token, int batchSize, int concurrency) {
        this.url = url;
        this.authorization = "Bearer " + token;
        this.batchSize = batchSize;
        this.concurrency = concurrency;
    }

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
        SinkLoad load =
                new SinkLoad(URI.create(options.require("url")), options.get("token", ""), batchSize, concurrency);

        if (!warmup.isZero()) {
            SinkEvents warm = new SinkEvents(run, phase + "-warmup", keys, bytes, System.nanoTime());
            Tally ignored = new Tally();
            load.drive(mode, rate, warm, warmup, true, ignored);
        }
        SinkEvents events = new SinkEvents(run, phase, keys, bytes, System.nanoTime());
        Tally tally = new Tally();
        SinkCpu cpu = SinkCpu.available()
                ? new SinkCpu(options.pids(), Map.of("postgres", "postgres", "redis", "redis-server"))
                : null;
        if (cpu != null) {
            cpu.start();
        }
        Instant windowStart = Instant.now();
        long startNanos = System.nanoTime();
        SinkSeries series = SinkSeries.of(options, options.require("url"));
        series.start(windowStart);
        load.drive(mode, rate, events, duration, false, tally);
        double seconds = (System.nanoTime() - startNanos) / 1e9;
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
                tally.acceptedEvents,
                tally.acceptedEvents / seconds,
                tally.failedRequests,
                tally.statuses,
                tally.percentileMillis(0.50),
                tally.percentileMillis(0.99));

        String prefix = SinkEvents.sourcePrefix(run, phase);
        Map<String, String> out = new LinkedHashMap<>();
        String key = "e2e." + phase + ".";
        out.put(key + "mode", description);
        if (mode.equals("open")) {
            out.put(key + "rate", SinkBenchmark.fmt(rate));
        }
        out.put(key + "seconds", SinkBenchmark.fmt(seconds));
        out.put(key + "accepted", Long.toString(tally.acceptedEvents));
        out.put(key + "accepted_per_s", SinkBenchmark.fmt(tally.acceptedEvents / seconds));
        out.put(key + "failed_requests", Long.toString(tally.failedRequests));
        out.put(key + "statuses", tally.statuses.toString());
        out.put(key + "http_p50_ms", SinkBenchmark.fmt(tally.percentileMillis(0.50)));
        out.put(key + "http_p99_ms", SinkBenchmark.fmt(tally.percentileMillis(0.99)));
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
                if (stored >= tally.acceptedEvents || System.nanoTime() > deadline) {
                    break;
                }
                Thread.sleep(500);
            }
            // Sampled until the phase's last row, so an overload's drain shows too.
            series.stopSampling();
            out.put(key + "stored", Long.toString(stored));
            out.put(key + "missing", Long.toString(Math.max(0, tally.acceptedEvents - stored)));
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
                        double accepted = tally.acceptedEvents / seconds;
                        List<String> missed = new ArrayList<>();
                        if (accepted < 0.95 * rate) {
                            missed.add(String.format(Locale.ROOT, "accepted %,.0f/s < 95%% of offered", accepted));
                        }
                        if (tally.failedRequests > 0) {
                            missed.add(tally.failedRequests + " failed requests");
                        }
                        if (storedInWindow < 0.95 * accepted) {
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
                            tally.acceptedEvents,
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

    /** Sends load for {@code length}; an open-loop warm-up ramps up from a tenth of the rate. */
    private void drive(String mode, double rate, SinkEvents events, Duration length, boolean ramp, Tally tally)
            throws Exception {
        long end = System.nanoTime() + length.toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        try {
            if (mode.equals("closed")) {
                List<java.util.concurrent.Future<?>> clients = new ArrayList<>();
                for (int i = 0; i < concurrency; i++) {
                    clients.add(pool.submit(() -> {
                        while (System.nanoTime() < end) {
                            send(events, System.nanoTime(), tally);
                        }
                        return null;
                    }));
                }
                for (var c : clients) {
                    c.get();
                }
            } else {
                long start = System.nanoTime();
                double interval = batchSize * 1e9 / rate;
                long next = start;
                while (next < end) {
                    long now = System.nanoTime();
                    if (next > now) {
                        LockSupport.parkNanos(next - now);
                        continue;
                    }
                    long intended = next;
                    pool.execute(() -> send(events, intended, tally));
                    double share = ramp ? Math.max(0.1, (double) (intended - start) / (end - start)) : 1.0;
                    next += (long) (interval / share);
                }
            }
        } finally {
            pool.shutdown();
            if (!pool.awaitTermination(120, TimeUnit.SECONDS)) {
                pool.shutdownNow();
            }
        }
    }

    private void send(SinkEvents events, long intended, Tally tally) {
        byte[] body;
        synchronized (events) {
            body = events.batch(batchSize);
        }
        HttpRequest request = HttpRequest.newBuilder(url)
                .timeout(Duration.ofSeconds(60))
                .header("content-type", CONTENT_TYPE)
                .header("authorization", authorization)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            long accepted = 0;
            if (response.statusCode() == 202) {
                accepted = batchSize;
            } else if (response.statusCode() == 207) {
                accepted = occurrences(response.body(), "\"status\":202");
            }
            tally.record(Integer.toString(response.statusCode()), accepted, System.nanoTime() - intended);
        } catch (Exception e) {
            tally.record(e.getClass().getSimpleName(), 0, System.nanoTime() - intended);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    private static long occurrences(String text, String what) {
        long n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + what.length())) {
            n++;
        }
        return n;
    }
}
