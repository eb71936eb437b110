package io.sluice.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * The sink benchmark's steps, one per invocation (driven by {@code scripts/bench-sink}); each
 * appends its figures to a key=value results file ({@code --result}) that {@code report}
 * turns into one table.
 *
 * <pre>
 * SinkBenchmark db-create   --pg-admin JDBC --db NAME
 * SinkBenchmark db-drop     --pg-admin JDBC --db NAME
 * SinkBenchmark create-topics --kafka B --topic T [--partitions 6]     T and T.dlq
 * SinkBenchmark preload     --kafka B --topic T --events N --run R --tenant TENANT
 *                           [--phase preload --partitions 6 --record-bytes 512 --keys 1000]
 * SinkBenchmark wait-stored --jdbc JDBC --events N [--warmup-events W --source-prefix P --cold-source-prefix C
 *                           --prefix sink --redis URL --timeout 900 --stall 120 --watch name=pid
 *                           --series FILE --metrics URL]
 * SinkBenchmark raw-insert  --jdbc JDBC [--source-prefix P --rows-per-statement 500 --repeat 3 --copy --series FILE]
 * SinkBenchmark raw-redis   --redis URL --events N --run R [--batch 500 --variant sink|set-get]
 * SinkBenchmark cleanup     [--kafka B --topic T ... --group G ...] [--redis URL --pattern P ...]
 * SinkBenchmark report      RESULTS [--markdown FILE]
 * </pre>
 *
 * The HTTP load of the end-to-end part is {@link SinkLoad}; the profile summary {@link SinkProfile}.
 * {@code --series FILE} also writes the phase second by second ({@link SinkSeries}).
 */
public final class SinkBenchmark {

    static final String TENANT_HEADER = "sluice-tenant";
    static final String ACCEPTED_AT_HEADER = "sluice-accepted-at";

    /** The columns the sink writes, in its order; {@code stored_at} is left to its default. */
    private static final String COLUMNS = "tenant, source, event_id, type, subject, event_time, datacontenttype,"
            + " data, data_base64, attributes, kafka_partition, kafka_offset, accepted_at";

    private SinkBenchmark() {}

    public static void main(String[] argv) throws Exception {
        SinkOptions options = SinkOptions.parse(argv);
        String command = options.positional(0);
        try {
            switch (command) {
                case "db-create" -> database(options, true);
                case "db-drop" -> database(options, false);
                case "create-topics" -> createTopics(options);
                case "preload" -> preload(options);
                case "wait-stored" -> waitStored(options);
                case "raw-insert" -> rawInsert(options);
                case "raw-redis" -> rawRedis(options);
                case "cleanup" -> cleanup(options);
                case "report" -> SinkReport.main(options);
                default -> throw new IllegalArgumentException("unknown command '" + command + "'");
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("SinkBenchmark " + command + ": " + e.getMessage());
            System.exit(2);
        }
        System.exit(0);
    }

    // --- databases -------------------------------------------------------------------------

    private static void database(SinkOptions options, boolean create) throws SQLException {
        String name = options.require("db");
        if (!name.matches("[a-z0-9_]+") || !name.startsWith("sluice_bench")) {
            throw new IllegalArgumentException("only databases named sluice_bench* are created or dropped here");
        }
        try (Connection admin = connect(options.get("pg-admin", "jdbc:postgresql://127.0.0.1:5432/postgres"));
                Statement sql = admin.createStatement()) {
            if (create) {
                sql.execute("CREATE DATABASE " + name);
            } else {
                sql.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            }
        }
    }

    static Connection connect(String jdbc) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", "postgres");
        props.setProperty("password", "");
        return DriverManager.getConnection(jdbc, props);
    }

    // --- topics -------------------------------------------------------------------------------

    /** The events topic and its dead-letter topic, like the stack's (records up to 2 MiB). */
    private static void createTopics(SinkOptions options) throws Exception {
        String topic = options.require("topic");
        int partitions = options.getInt("partitions", 6);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, options.require("kafka")))) {
            Map<String, String> config = Map.of("max.message.bytes", "2097152");
            admin.createTopics(List.of(
                            new NewTopic(topic, partitions, (short) 1).configs(config),
                            new NewTopic(topic + ".dlq", partitions, (short) 1).configs(config)))
                    .all()
                    .get(60, TimeUnit.SECONDS);
        }
    }

    // --- part 1: pre-load ------------------------------------------------------------------

    private static void preload(SinkOptions options) throws Exception {
        String bootstrap = options.require("kafka");
        String topic = options.require("topic");
        int events = options.getInt("events", 200_000);
        int partitions = options.getInt("partitions", 6);
        int bytes = options.getInt("record-bytes", 512);
        String run = options.require("run");
        String tenant = options.require("tenant");
        Map<String, Object> config = new LinkedHashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // Like Sluice's own producer (lz4), so the sink fetches and decompresses what it would in production.
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        config.put(ProducerConfig.LINGER_MS_CONFIG, 10);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 262_144);
        // Each pre-load of a run has its own phase name, so its ids (and Redis keys) are new:
        // events a previous part stored and marked done would otherwise all count as duplicates.
        String phase = options.get("phase", "preload");
        SinkEvents generator = new SinkEvents(run, phase, options.getInt("keys", 1000), bytes, run.hashCode());
        byte[] tenantBytes = tenant.getBytes(StandardCharsets.UTF_8);
        AtomicLong failed = new AtomicLong();
        AtomicReference<Exception> firstFailure = new AtomicReference<>();
        long valueBytes = 0;
        long start = System.nanoTime();
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < events; i++) {
                String key = generator.nextKey();
                byte[] value = generator.next().getBytes(StandardCharsets.US_ASCII);
                valueBytes += value.length;
                ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, key, value);
                record.headers().add(TENANT_HEADER, tenantBytes);
                record.headers()
                        .add(ACCEPTED_AT_HEADER, Instant.now().toString().getBytes(StandardCharsets.UTF_8));
                producer.send(record, (metadata, failure) -> {
                    if (failure != null) {
                        failed.incrementAndGet();
                        firstFailure.compareAndSet(null, failure);
                    }
                });
            }
            producer.flush();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " records were not acknowledged: " + firstFailure.get());
        }
        System.out.printf(
                Locale.ROOT,
                "pre-loaded %,d events (%d-byte values, %d partitions) into %s in %.1f s: %,.0f records/s%n",
                events,
                valueBytes / events,
                partitions,
                topic,
                seconds,
                events / seconds);
        options.record(Map.of(
                "preload.events", Integer.toString(events),
                "preload.value_bytes", Long.toString(valueBytes / events),
                "preload.partitions", Integer.toString(partitions),
                "preload.records_per_s", fmt(events / seconds),
                "preload.seconds", fmt(seconds)));
    }

    // --- part 1: the sink draining the topic -------------------------------------------------

    private static void waitStored(SinkOptions options) throws Exception {
        String jdbc = options.require("jdbc");
        long events = options.getInt("events", 200_000);
        // Warm-up events are pre-loaded ahead of the measured ones (their own source prefix):
        // the sink drains them first, while its JIT compiles, and is timed on the measured ones.
        long warmup = options.getInt("warmup-events", 0);
        String measured = options.get("source-prefix", "") + "%";
        String cold = options.get("cold-source-prefix", null);
        long total = warmup + events;
        long timeoutNanos = TimeUnit.SECONDS.toNanos(options.getInt("timeout", 900));
        long stallNanos = TimeUnit.SECONDS.toNanos(options.getInt("stall", 120));
        long pollMillis = options.getInt("poll-ms", 500);
        String redisUrl = options.get("redis", null);
        String prefix = options.get("prefix", "sink") + ".";
        Map<String, Long> before = Map.of();
        SinkCpu cpu = SinkCpu.available()
                ? new SinkCpu(options.pids(), Map.of("postgres", "postgres", "redis", "redis-server"))
                : null;
        Map<String, Double> cores = Map.of();
        SinkSeries series = SinkSeries.of(options, options.get("metrics", null));
        long start = System.nanoTime();
        long lastProgress = start;
        long lastCount = 0;
        long firstSeen = 0;
        long windowStart = 0;
        long allSeen = 0;
        try (Connection db = connect(jdbc)) {
            /*
             * Progress comes from Sluice's own count of stored rows (sluice_sink_stored_total,
             * counted after each commit), not from counting the table: a count(*) over the
             * growing table every poll took 0.1-0.2 s of a core at 200,000-400,000 rows, CPU the
             * sink then lacked on a 2-core machine (the raw baseline paid no such toll), and
             * PostgreSQL's statistics lag by up to 10 s. The end is confirmed by an exact count,
             * and the series' origin (the first timed row) is looked up in the table once the
             * warm-up's count is reached. Without Sluice's management address (--metrics), the table is counted.
             */
            SinkStoredCounter stored = SinkStoredCounter.of(options.get("metrics", null));
            PreparedStatement count = null;
            PreparedStatement first = null;
            while (true) {
                long rows = 0;
                if (count == null
                        && db.getMetaData()
                                .getTables(null, null, "events", null)
                                .next()) {
                    count = db.prepareStatement("SELECT count(*) FROM events");
                    first = db.prepareStatement("SELECT min(stored_at) FROM events WHERE source LIKE ?");
                    first.setString(1, measured);
                }
                if (count != null) {
                    OptionalLong counted = stored.read();
                    rows = counted.isPresent() ? counted.getAsLong() : single(count);
                    if (rows >= warmup && series.awaitsOrigin()) {
                        firstTimedRow(first, series);
                    }
                    if (rows >= total && counted.isPresent()) {
                        rows = single(count); // Sluice says so: count exactly
                    }
                }
                long now = System.nanoTime();
                if (rows > 0 && firstSeen == 0) {
                    firstSeen = now;
                    System.out.printf(Locale.ROOT, "first rows seen after %.1f s of waiting%n", (now - start) / 1e9);
                }
                if (rows > 0 && rows >= warmup && windowStart == 0) {
                    // The measured part starts: meter CPU and Redis from here.
                    windowStart = now;
                    if (warmup > 0) {
                        System.out.printf(
                                Locale.ROOT, "warm-up drained after %.1f s: measuring%n", (now - firstSeen) / 1e9);
                    }
                    if (redisUrl != null) {
                        before = redisStats(redisUrl);
                    }
                    if (cpu != null) {
                        cpu.start();
                    }
                }
                if (rows != lastCount) {
                    lastCount = rows;
                    lastProgress = now;
                }
                if (rows >= total) {
                    allSeen = now;
                    series.stopSampling();
                    if (cpu != null && windowStart > 0) {
                        cores = cpu.stop();
                    }
                    break;
                }
                if (now - start > timeoutNanos || now - lastProgress > stallNanos) {
                    throw new IllegalStateException(String.format(
                            Locale.ROOT,
                            "the sink stored %,d of %,d events; %s",
                            rows,
                            total,
                            now - start > timeoutNanos ? "timed out" : "no progress for the stall limit"));
                }
                Thread.sleep(pollMillis);
            }
            Map<String, Long> after = redisUrl == null ? Map.of() : redisStats(redisUrl);
            Map<String, String> out = new LinkedHashMap<>();
            double rate = sinkStats(db, measured, prefix, out);
            if (cold != null) {
                sinkStats(db, cold + "%", prefix + "cold_", out);
                rate = afterWarmup(db, measured, cold + "%", warmup, prefix, out);
            }
            double polled = (allSeen - windowStart) / 1e9;
            out.put(prefix + "polled_s", fmt(polled));
            out.put(prefix + "waited_to_first_row_s", fmt((firstSeen - start) / 1e9));
            System.out.printf(
                    Locale.ROOT,
                    "sink: %,d events, %s s: %,.0f events/s%s%n",
                    events,
                    out.get(prefix + (cold == null ? "span_s" : "after_warmup_span_s")),
                    rate,
                    cold == null
                            ? ""
                            : String.format(
                                    Locale.ROOT,
                                    " (the %,d warm-up events just after start: %,.0f events/s)",
                                    warmup,
                                    Double.parseDouble(out.get(prefix + "cold_events_per_s"))));
            if (!cores.isEmpty()) {
                // CPU time per event: less sensitive than rates to what else the shared cores run.
                for (String name : List.of("sluice", "postgres", "redis", "kafka")) {
                    if (cores.containsKey(name) && events > 0) {
                        out.put(prefix + name + "_us_per_event", fmt(cores.get(name) * polled / events * 1e6));
                    }
                }
                out.put(prefix + "cpu", SinkCpu.describe(cores));
                System.out.println("CPU (cores) while the sink ran: " + SinkCpu.describe(cores));
                if (cpu != null && !cpu.threads().isEmpty()) {
                    out.put(prefix + "sluice_threads", SinkCpu.describe(cpu.threads()));
                    System.out.println("Sluice's threads (cores): " + SinkCpu.describe(cpu.threads()));
                }
                if (cpu != null && !cpu.others().isEmpty()) {
                    out.put(prefix + "other_processes", SinkCpu.describe(cpu.others()));
                    System.out.println("busiest other processes (cores): " + SinkCpu.describe(cpu.others()));
                }
            }
            if (!before.isEmpty()) {
                Map<String, Long> delta = new LinkedHashMap<>();
                Map<String, Long> base = before;
                after.forEach((k, v) -> delta.put(k, v - base.getOrDefault(k, 0L)));
                long calls = delta.getOrDefault("set.calls", 0L) + delta.getOrDefault("get.calls", 0L);
                long usec = delta.getOrDefault("set.usec", 0L) + delta.getOrDefault("get.usec", 0L);
                double cpuSeconds = delta.getOrDefault("cpu.usec", 0L) / 1e6;
                out.put(prefix + "redis_calls", Long.toString(calls));
                out.put(prefix + "redis_command_s", fmt(usec / 1e6));
                out.put(prefix + "redis_cpu_s", fmt(cpuSeconds));
                System.out.printf(
                        Locale.ROOT,
                        "Redis during the measured part (whole server, other users included): %,d SET/GET calls,"
                                + " %.2f s inside commands, %.2f s of CPU%n",
                        calls,
                        usec / 1e6,
                        cpuSeconds);
            }
            // Pre-loaded rows: their accept -> row latency is the time they waited in Kafka.
            series.write(db, measured, false);
            options.record(out);
        }
    }

    /** The one number a query answers. */
    private static long single(PreparedStatement query) throws SQLException {
        try (ResultSet result = query.executeQuery()) {
            result.next();
            return result.getLong(1);
        }
    }

    /**
     * Starts the series at the first timed row, once it is stored: the series counts its
     * seconds from that row's {@code stored_at}, and samples Sluice's memory from then on.
     */
    private static void firstTimedRow(PreparedStatement first, SinkSeries series) throws SQLException {
        try (ResultSet result = first.executeQuery()) {
            result.next();
            OffsetDateTime at = result.getObject(1, OffsetDateTime.class);
            if (at != null) {
                series.start(at.toInstant());
            }
        }
    }

    /**
     * The sink's rate over the rows whose source is LIKE {@code sources}: from the first inserting
     * transaction's start to the last one's ({@code stored_at} is the transaction's start, so
     * that span covers every row but the last transaction's), and over the second half of the
     * transactions. Returns the rate.
     */
    private static double sinkStats(Connection db, String sources, String prefix, Map<String, String> out)
            throws SQLException {
        double rate;
        try (PreparedStatement sql = db.prepareStatement("""
                WITH tx AS (SELECT stored_at, count(*) AS n FROM events WHERE source LIKE ? GROUP BY stored_at)
                SELECT sum(n), count(*), min(stored_at), max(stored_at),
                       extract(epoch FROM max(stored_at) - min(stored_at)),
                       (SELECT n FROM tx ORDER BY stored_at DESC LIMIT 1),
                       percentile_cont(0.5) WITHIN GROUP (ORDER BY n), max(n), min(n),
                       (SELECT count(DISTINCT (tenant, source, event_id)) FROM events WHERE source LIKE ?)
                  FROM tx
                """)) {
            sql.setString(1, sources);
            sql.setString(2, sources);
            try (ResultSet r = sql.executeQuery()) {
                r.next();
                long rows = r.getLong(1);
                long transactions = r.getLong(2);
                double span = r.getDouble(5);
                long lastTx = r.getLong(6);
                rate = span > 0 ? (rows - lastTx) / span : Double.NaN;
                out.put(prefix + "rows", Long.toString(rows));
                out.put(prefix + "distinct", Long.toString(r.getLong(10)));
                out.put(prefix + "transactions", Long.toString(transactions));
                out.put(prefix + "span_s", fmt(span));
                out.put(prefix + "events_per_s", fmt(rate));
                out.put(prefix + "rows_per_tx_median", fmt(r.getDouble(7)));
                out.put(prefix + "rows_per_tx_max", Long.toString(r.getLong(8)));
                out.put(prefix + "ms_per_tx", fmt(transactions > 1 ? 1000 * span / (transactions - 1) : Double.NaN));
                out.put(
                        prefix + "first_stored_at",
                        r.getObject(3, OffsetDateTime.class).toString());
                out.put(
                        prefix + "last_stored_at",
                        r.getObject(4, OffsetDateTime.class).toString());
            }
        }
        try (PreparedStatement sql = db.prepareStatement("""
                WITH tx AS (SELECT stored_at, count(*) AS n,
                                   row_number() OVER (ORDER BY stored_at) AS i,
                                   count(*) OVER () AS txs
                              FROM events WHERE source LIKE ? GROUP BY stored_at)
                SELECT sum(n) FILTER (WHERE i < txs), extract(epoch FROM max(stored_at) - min(stored_at))
                  FROM tx WHERE i >= txs / 2
                """)) {
            sql.setString(1, sources);
            try (ResultSet r = sql.executeQuery()) {
                r.next();
                out.put(
                        prefix + "events_per_s_second_half",
                        fmt(r.getDouble(2) > 0 ? r.getLong(1) / r.getDouble(2) : Double.NaN));
            }
        }
        return rate;
    }

    /**
     * The sink's rate over every row stored once the warm-up's count was reached: from the start
     * of the transaction that passed it to the start of the last one. Warm-up and measured rows
     * are the same work, and they overlap: partitions drain at different speeds, so the measured
     * rows of the fast ones are stored while the slow ones are still on their warm-up records.
     * Timed from its own first row, the measured set would be charged for that tail. This is the
     * window the CPU is metered over, too. Returns the rate.
     */
    private static double afterWarmup(
            Connection db, String measured, String cold, long warmup, String prefix, Map<String, String> out)
            throws SQLException {
        try (PreparedStatement sql = db.prepareStatement("""
                WITH tx AS (SELECT stored_at, count(*) AS n FROM events
                             WHERE source LIKE ? OR source LIKE ? GROUP BY stored_at),
                     c AS (SELECT stored_at, n, sum(n) OVER (ORDER BY stored_at) AS stored_so_far FROM tx),
                     w AS (SELECT min(stored_at) AS passed, max(stored_at) AS last FROM c WHERE stored_so_far >= ?)
                SELECT sum(n) FILTER (WHERE stored_at < last), extract(epoch FROM max(last) - max(passed))
                  FROM c, w WHERE stored_at >= passed
                """)) {
            sql.setString(1, measured);
            sql.setString(2, cold);
            sql.setLong(3, warmup);
            try (ResultSet r = sql.executeQuery()) {
                r.next();
                double span = r.getDouble(2);
                double rate = span > 0 ? r.getLong(1) / span : Double.NaN;
                out.put(prefix + "after_warmup_span_s", fmt(span));
                out.put(prefix + "events_per_s_after_warmup", fmt(rate));
                return rate;
            }
        }
    }

    /** SET and GET call counts and time inside them, and the server's CPU time, in microseconds. */
    static Map<String, Long> redisStats(String url) throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            Redis redis = Redis.createClient(vertx, new RedisOptions().setConnectionString(url));
            Map<String, Long> stats = new LinkedHashMap<>();
            String commands = await(redis.send(Request.cmd(Command.INFO).arg("commandstats")))
                    .toString();
            for (String line : commands.split("\r?\n")) {
                for (String command : List.of("set", "get")) {
                    if (line.startsWith("cmdstat_" + command + ":")) {
                        for (String field :
                                line.substring(line.indexOf(':') + 1).split(",")) {
                            String[] kv = field.split("=");
                            if (kv[0].equals("calls") || kv[0].equals("usec")) {
                                stats.put(command + "." + kv[0], Long.parseLong(kv[1]));
                            }
                        }
                    }
                }
            }
            String cpu = await(redis.send(Request.cmd(Command.INFO).arg("cpu"))).toString();
            double seconds = 0;
            for (String line : cpu.split("\r?\n")) {
                if (line.startsWith("used_cpu_sys:") || line.startsWith("used_cpu_user:")) {
                    seconds += Double.parseDouble(
                            line.substring(line.indexOf(':') + 1).trim());
                }
            }
            stats.put("cpu.usec", (long) (seconds * 1e6));
            redis.close();
            return stats;
        } finally {
            await(vertx.close());
        }
    }

    // --- part 1: the baselines -------------------------------------------------------------

    /**
     * The very rows the sink stored, read back, inserted again into scratch tables shaped like
     * {@code events} (same columns, defaults, unique constraint and index): by multi-row INSERT
     * over one JDBC connection, one statement (and commit) per {@code --rows-per-statement}
     * rows, and optionally by one COPY.
     */
    private static void rawInsert(SinkOptions options) throws Exception {
        int perStatement = options.getInt("rows-per-statement", 500);
        Map<String, String> out = new LinkedHashMap<>();
        try (Connection db = connect(options.require("jdbc"))) {
            List<Object[]> rows = new ArrayList<>();
            try (Statement sql = db.createStatement();
                    ResultSet r = sql.executeQuery("SELECT tenant, source, event_id, type, subject, event_time,"
                            + " datacontenttype, data::text, data_base64, attributes::text, kafka_partition,"
                            + " kafka_offset, accepted_at FROM events WHERE source LIKE '"
                            + options.get("source-prefix", "").replace("'", "''")
                            + "%' ORDER BY stored_at, kafka_partition, kafka_offset")) {
                while (r.next()) {
                    rows.add(new Object[] {
                        r.getString(1),
                        r.getString(2),
                        r.getString(3),
                        r.getString(4),
                        r.getString(5),
                        r.getObject(6, OffsetDateTime.class),
                        r.getString(7),
                        r.getString(8),
                        r.getString(9),
                        r.getString(10),
                        r.getInt(11),
                        r.getLong(12),
                        r.getObject(13, OffsetDateTime.class)
                    });
                }
            }
            if (rows.isEmpty()) {
                throw new IllegalStateException("no rows in events to copy");
            }
            db.setAutoCommit(true);
            // Repeated (each time into a fresh scratch table): the median is reported, the
            // shared machine's noise being what it is.
            int repeat = Math.max(1, options.getInt("repeat", 3));
            List<RawRun> runs = new ArrayList<>();
            for (int r = 0; r < repeat; r++) {
                runs.add(insertOnce(db, rows, perStatement));
            }
            List<RawRun> sorted = new ArrayList<>(runs);
            sorted.sort(java.util.Comparator.comparingDouble(RawRun::rate));
            RawRun median = sorted.get(sorted.size() / 2);
            double rate = median.rate();
            out.put("raw.insert_cpu", median.cpu());
            out.put("raw.postgres_us_per_row", fmt(median.postgresUs()));
            out.put("raw.driver_us_per_row", fmt(median.driverUs()));
            out.put("raw.rows", Integer.toString(rows.size()));
            out.put("raw.rows_per_statement", Integer.toString(perStatement));
            out.put("raw.insert_rows_per_s", fmt(rate));
            out.put("raw.insert_s", fmt(rows.size() / rate));
            out.put(
                    "raw.insert_runs",
                    runs.stream()
                            .map(run -> String.format(Locale.ROOT, "%,.0f", run.rate()))
                            .collect(java.util.stream.Collectors.joining(", ")));
            System.out.printf(
                    Locale.ROOT,
                    "raw multi-row INSERT (%d rows per statement, autocommit, 1 JDBC connection), %,d rows, %d times:"
                            + " median %,.0f rows/s (%s)%n",
                    perStatement,
                    rows.size(),
                    repeat,
                    rate,
                    out.get("raw.insert_runs"));
            if (options.has("series")) {
                // The run whose rate is reported, so the series and the figure agree.
                median.series().write(Path.of(options.require("series")));
                System.out.println("  series: " + options.require("series"));
            }
            if (options.has("copy")) {
                try (Statement sql = db.createStatement()) {
                    sql.execute("DROP TABLE IF EXISTS events_raw_copy");
                    sql.execute("CREATE TABLE events_raw_copy (LIKE events INCLUDING ALL)");
                    sql.execute("CHECKPOINT");
                }
                long copyStart = System.nanoTime();
                CopyIn copy = db.unwrap(PGConnection.class)
                        .getCopyAPI()
                        .copyIn("COPY events_raw_copy (" + COLUMNS + ") FROM STDIN (FORMAT text)");
                StringBuilder chunk = new StringBuilder(1 << 20);
                for (Object[] row : rows) {
                    for (int c = 0; c < row.length; c++) {
                        if (c > 0) {
                            chunk.append('\t');
                        }
                        copyText(chunk, row[c]);
                    }
                    chunk.append('\n');
                    if (chunk.length() > (1 << 20) - 4096) {
                        byte[] bytes = chunk.toString().getBytes(StandardCharsets.UTF_8);
                        copy.writeToCopy(bytes, 0, bytes.length);
                        chunk.setLength(0);
                    }
                }
                byte[] bytes = chunk.toString().getBytes(StandardCharsets.UTF_8);
                copy.writeToCopy(bytes, 0, bytes.length);
                long copied = copy.endCopy();
                double copySeconds = (System.nanoTime() - copyStart) / 1e9;
                out.put("raw.copy_rows_per_s", fmt(copied / copySeconds));
                out.put("raw.copy_s", fmt(copySeconds));
                System.out.printf(
                        Locale.ROOT,
                        "raw COPY (text, 1 connection): %,d rows in %.2f s: %,.0f rows/s%n",
                        copied,
                        copySeconds,
                        copied / copySeconds);
            }
            try (Statement sql = db.createStatement()) {
                sql.execute("DROP TABLE IF EXISTS events_raw_insert");
                sql.execute("DROP TABLE IF EXISTS events_raw_copy");
            }
        }
        options.record(out);
    }

    /** One timed pass of the multi-row INSERT baseline, with its rows per second. */
    record RawRun(double rate, double postgresUs, double driverUs, String cpu, Timeline series) {}

    private static RawRun insertOnce(Connection db, List<Object[]> rows, int perStatement) throws SQLException {
        try (Statement sql = db.createStatement()) {
            sql.execute("DROP TABLE IF EXISTS events_raw_insert");
            sql.execute("CREATE TABLE events_raw_insert (LIKE events INCLUDING ALL)");
            sql.execute("CHECKPOINT");
        }
        SinkCpu cpu = SinkCpu.available() ? new SinkCpu(Map.of(), Map.of("postgres", "postgres")) : null;
        if (cpu != null) {
            cpu.start();
        }
        long start = System.nanoTime();
        Timeline series = new Timeline(start);
        int done = 0;
        try (PreparedStatement full = db.prepareStatement(multiRowInsert(Math.min(perStatement, rows.size())))) {
            while (done < rows.size()) {
                int n = Math.min(perStatement, rows.size() - done);
                PreparedStatement insert = n == perStatement ? full : db.prepareStatement(multiRowInsert(n));
                int p = 1;
                for (int i = done; i < done + n; i++) {
                    for (Object value : rows.get(i)) {
                        insert.setObject(p++, value);
                    }
                }
                insert.executeUpdate();
                series.record(System.nanoTime(), -1, n);
                if (insert != full) {
                    insert.close();
                }
                done += n;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (cpu == null) {
            return new RawRun(rows.size() / seconds, Double.NaN, Double.NaN, "n/a", series);
        }
        Map<String, Double> cores = cpu.stop();
        return new RawRun(
                rows.size() / seconds,
                cores.get("postgres") * seconds / rows.size() * 1e6,
                cores.get("driver") * seconds / rows.size() * 1e6,
                SinkCpu.describe(cores),
                series);
    }

    private static String multiRowInsert(int rows) {
        StringBuilder sql = new StringBuilder("INSERT INTO events_raw_insert (" + COLUMNS + ") VALUES ");
        for (int i = 0; i < rows; i++) {
            sql.append(i == 0 ? "" : ",").append("(?,?,?,?,?,?,?,?::jsonb,?,?::jsonb,?,?,?)");
        }
        return sql.toString();
    }

    private static void copyText(StringBuilder out, Object value) {
        if (value == null) {
            out.append("\\N");
            return;
        }
        String text = value.toString();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> out.append(c);
            }
        }
    }

    /**
     * Redis alone, with the sink's command pattern and client (Vert.x Redis, one pipelined batch
     * per step): per batch {@code SET key owner NX PX 30000} + {@code GET key} for every event,
     * then {@code SET key done PX 7d}. Keys are shaped like the sink's and deleted afterwards.
     */
    private static void rawRedis(SinkOptions options) throws Exception {
        String url = options.require("redis");
        int events = options.getInt("events", 200_000);
        int batch = options.getInt("batch", 500);
        String run = options.require("run");
        // "sink": SET NX PX + GET per event, as the sink does; "set-get": one SET NX PX GET per
        // event (Redis >= 7.0: the old value comes back with the SET, so no separate GET).
        boolean setGet = options.get("variant", "sink").equals("set-get");
        String owner = "bench-host/" + UUID.randomUUID();
        String tenant = "bench-raw-" + run;
        String source = SinkEvents.sourcePrefix(run, "redis") + "00";
        Vertx vertx = Vertx.vertx();
        try {
            Redis redis = Redis.createClient(vertx, new RedisOptions().setConnectionString(url));
            List<String> keys = new ArrayList<>(events);
            for (int i = 0; i < events; i++) {
                String id = run + "-redis-" + String.format("%010d", i);
                keys.add("dedup:" + tenant.length() + ":" + tenant + ":" + source.length() + ":" + source + ":" + id);
            }
            long claimNanos = 0;
            long doneNanos = 0;
            long start = System.nanoTime();
            for (int from = 0; from < events; from += batch) {
                List<String> slice = keys.subList(from, Math.min(events, from + batch));
                List<Request> claims = new ArrayList<>(slice.size() * 2);
                for (String key : slice) {
                    Request set = Request.cmd(Command.SET)
                            .arg(key)
                            .arg(owner)
                            .arg("NX")
                            .arg("PX")
                            .arg(30_000);
                    if (setGet) {
                        claims.add(set.arg("GET"));
                    } else {
                        claims.add(set);
                        claims.add(Request.cmd(Command.GET).arg(key));
                    }
                }
                long t0 = System.nanoTime();
                List<Response> answers = await(redis.batch(claims));
                int claimed = 0;
                if (setGet) {
                    // nil: the key was free and is now ours.
                    for (Response answer : answers) {
                        if (answer == null) {
                            claimed++;
                        }
                    }
                } else {
                    for (int i = 1; i < answers.size(); i += 2) {
                        if (answers.get(i) != null
                                && owner.equals(answers.get(i).toString())) {
                            claimed++;
                        }
                    }
                }
                if (claimed != slice.size()) {
                    throw new IllegalStateException("only " + claimed + " of " + slice.size() + " keys claimed");
                }
                long t1 = System.nanoTime();
                List<Request> marks = new ArrayList<>(slice.size());
                for (String key : slice) {
                    marks.add(Request.cmd(Command.SET)
                            .arg(key)
                            .arg("done")
                            .arg("PX")
                            .arg(7L * 24 * 3600 * 1000));
                }
                await(redis.batch(marks));
                long t2 = System.nanoTime();
                claimNanos += t1 - t0;
                doneNanos += t2 - t1;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            int batches = (events + batch - 1) / batch;
            for (int from = 0; from < events; from += 1000) {
                Request unlink = Request.cmd(Command.UNLINK);
                keys.subList(from, Math.min(events, from + 1000)).forEach(unlink::arg);
                await(redis.send(unlink));
            }
            redis.close();
            System.out.printf(
                    Locale.ROOT,
                    "Redis alone, %s in %d-event batches on one connection: %,d events in %.2f s:"
                            + " %,.0f events/s; per batch %.2f ms claim + %.2f ms done (SET PX)%n",
                    setGet ? "the sink's pattern (SET NX PX GET)" : "two commands per claim (SET NX PX + GET)",
                    batch,
                    events,
                    seconds,
                    events / seconds,
                    claimNanos / 1e6 / batches,
                    doneNanos / 1e6 / batches);
            String key = setGet ? "redis_set_get." : "redis.";
            options.record(Map.of(
                    key + "batch", Integer.toString(batch),
                    key + "events_per_s", fmt(events / seconds),
                    key + "claim_ms_per_batch", fmt(claimNanos / 1e6 / batches),
                    key + "done_ms_per_batch", fmt(doneNanos / 1e6 / batches)));
        } finally {
            await(vertx.close());
        }
    }

    // --- clean-up ----------------------------------------------------------------------------

    /**
     * Deletes this run's topics, consumer groups and Redis keys ({@code --pattern}, repeatable,
     * SCAN MATCH syntax).
     */
    private static void cleanup(SinkOptions options) throws Exception {
        List<String> topics = options.all("topic");
        if (!topics.isEmpty()) {
            try (Admin admin =
                    Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, options.require("kafka")))) {
                List<String> names = new ArrayList<>();
                Map<String, ?> existing = admin.listTopics().namesToListings().get(30, TimeUnit.SECONDS);
                for (String topic : topics) {
                    if (existing.containsKey(topic)) {
                        names.add(topic);
                    }
                }
                if (!names.isEmpty()) {
                    admin.deleteTopics(names).all().get(60, TimeUnit.SECONDS);
                    System.out.println("deleted topics " + names);
                }
                List<String> groups = options.all("group");
                if (!groups.isEmpty()) {
                    try {
                        admin.deleteConsumerGroups(groups).all().get(60, TimeUnit.SECONDS);
                        System.out.println("deleted consumer groups " + groups);
                    } catch (java.util.concurrent.ExecutionException e) {
                        System.out.println("consumer groups " + groups + " not deleted: " + e.getCause());
                    }
                }
            }
        }
        List<String> patterns = options.all("pattern");
        if (!patterns.isEmpty()) {
            Vertx vertx = Vertx.vertx();
            try {
                Redis redis =
                        Redis.createClient(vertx, new RedisOptions().setConnectionString(options.require("redis")));
                for (String pattern : patterns) {
                    String cursor = "0";
                    long deleted = 0;
                    do {
                        Response page = await(redis.send(Request.cmd(Command.SCAN)
                                .arg(cursor)
                                .arg("MATCH")
                                .arg(pattern)
                                .arg("COUNT")
                                .arg(20_000)));
                        cursor = page.get(0).toString();
                        Response keys = page.get(1);
                        if (keys.size() > 0) {
                            Request unlink = Request.cmd(Command.UNLINK);
                            for (Response key : keys) {
                                unlink.arg(key.toString());
                            }
                            deleted += await(redis.send(unlink)).toLong();
                        }
                    } while (!cursor.equals("0"));
                    System.out.printf(Locale.ROOT, "deleted %,d Redis keys matching %s%n", deleted, pattern);
                }
                redis.close();
            } finally {
                await(vertx.close());
            }
        }
    }

    static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    }

    static String fmt(double value) {
        return String.format(Locale.ROOT, "%.3f", value);
    }
}
