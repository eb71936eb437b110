package io.sluice.bench;

import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * A phase of the sink benchmark second by second ({@code --series FILE}), for the report's
 * charts: the phase's rows per second of {@code stored_at}, optionally the accept -> row
 * latency percentiles of the rows stored in each second, and Sluice's heap and resident memory
 * sampled meanwhile. The rows are counted in SQL once the phase is over, on {@code stored_at},
 * the clock the summary figures use, so the series and the figures cannot disagree. Without
 * {@code --series} every method does nothing.
 */
final class SinkSeries {

    private final Path file;
    private final URI sluice;
    private final Long pid;
    private Instant origin;
    private Timeline timeline;
    private MemorySampler memory;

    private SinkSeries(Path file, URI sluice, Long pid) {
        this.file = file;
        this.sluice = sluice;
        this.pid = pid;
    }

    /**
     * @param sluice the management interface of the Sluice under test (its {@code /q/metrics} is sampled), or null
     *     not to sample its memory; its pid, when known, comes from {@code --watch sluice=PID}
     */
    static SinkSeries of(SinkOptions options, String sluice) {
        String file = options.get("series", null);
        return new SinkSeries(
                file == null ? null : Path.of(file),
                sluice == null ? null : URI.create(sluice),
                options.pids().get("sluice"));
    }

    boolean awaitsOrigin() {
        return file != null && origin == null;
    }

    /**
     * Second 0 starts at {@code origin} (wall clock, like {@code stored_at}); Sluice's memory is
     * sampled from now on. The origin may lie a little in the past: part 1 learns the first
     * timed row's {@code stored_at} only once the row is there.
     */
    void start(Instant origin) {
        if (awaitsOrigin()) {
            begin(origin);
            if (sluice != null) {
                memory = new MemorySampler(sluice, pid, timeline).start();
            }
        }
    }

    private void begin(Instant origin) {
        this.origin = origin;
        timeline = new Timeline(
                System.nanoTime() - Duration.between(origin, Instant.now()).toNanos());
    }

    /** The phase is over: no more memory samples. */
    void stopSampling() throws InterruptedException {
        if (memory != null) {
            memory.close();
            memory = null;
        }
    }

    /**
     * Adds the rows whose source is LIKE {@code sources}, by second of {@code stored_at}, with
     * their {@code stored_at - accepted_at} when {@code latency} (pre-loaded rows have no
     * meaningful one), and writes the file.
     */
    void write(Connection db, String sources, boolean latency) throws Exception {
        if (file == null) {
            return;
        }
        stopSampling();
        if (origin == null) {
            // The drain ended between two polls, before the first timed row was seen: no memory
            // samples, but the rows still have their seconds.
            Instant first = firstStored(db, sources);
            begin(first == null ? Instant.now() : first);
        }
        addRows(db, sources, latency);
        timeline.write(file);
        System.out.println("  series: " + file);
    }

    private static Instant firstStored(Connection db, String sources) throws SQLException {
        try (PreparedStatement sql = db.prepareStatement("SELECT min(stored_at) FROM events WHERE source LIKE ?")) {
            sql.setString(1, sources);
            try (ResultSet r = sql.executeQuery()) {
                r.next();
                OffsetDateTime first = r.getObject(1, OffsetDateTime.class);
                return first == null ? null : first.toInstant();
            }
        }
    }

    /**
     * With latency, grouped by transaction ({@code stored_at}) and request ({@code accepted_at}):
     * about a hundred times fewer rows to fetch than events, each group then recorded once per
     * row. Without, grouped by second. A row before the origin goes to second 0: with several
     * consumers a transaction can start before the one whose row part 1 saw first, and commit
     * after it (by a fraction of a second).
     */
    private void addRows(Connection db, String sources, boolean latency) throws SQLException {
        String second = "greatest(0, floor(extract(epoch FROM stored_at - ?::timestamptz)))::bigint";
        String query = latency
                ? "SELECT " + second + ", greatest(0, extract(epoch FROM stored_at - accepted_at) * 1e6)::bigint,"
                        + " count(*) FROM events WHERE source LIKE ? GROUP BY stored_at, accepted_at"
                : "SELECT " + second + ", -1, count(*) FROM events WHERE source LIKE ? GROUP BY 1";
        try (PreparedStatement sql = db.prepareStatement(query)) {
            sql.setObject(1, origin.atOffset(ZoneOffset.UTC));
            sql.setString(2, sources);
            try (ResultSet r = sql.executeQuery()) {
                while (r.next()) {
                    record(r.getLong(1), r.getLong(2), r.getLong(3));
                }
            }
        }
    }

    private void record(long second, long latencyMicros, long rows) {
        if (latencyMicros < 0) {
            timeline.recordInSecond(second, -1, rows);
            return;
        }
        for (long i = 0; i < rows; i++) {
            timeline.recordInSecond(second, latencyMicros, 1);
        }
    }
}
