package io.sluice.alerts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.rules.Rule;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code alerts} table: appended to inside the sink's transactions (the outbox), read as
 * each tenant's history. Stream numbers come from {@code alert_streams}, whose row lock hands
 * them out in commit order and without gaps.
 */
@ApplicationScoped
public class AlertLog {

    static final String COLUMNS = "tenant, seq, alert_id, status, rule_id, rule_version, rule_name, severity,"
            + " subject, window_start, raised_at, details::text";

    /**
     * Takes the tenant's next number and appends the transition under it. A transition that is
     * already there (same alert, same status) is not appended twice, and its number is given
     * back: the row lock taken by the upsert is still ours, so nobody took a later one.
     */
    private static final String APPEND = """
            WITH next AS (
                INSERT INTO alert_streams (tenant, last_seq) VALUES ($1, 1)
                ON CONFLICT (tenant) DO UPDATE SET last_seq = alert_streams.last_seq + 1
                RETURNING last_seq)
            INSERT INTO alerts (tenant, seq, alert_id, status, rule_id, rule_version, rule_name, severity,
                                subject, window_start, details)
            SELECT $1, last_seq, $2, $3, $4, $5, $6, $7, $8, $9, $10::text::jsonb FROM next
            ON CONFLICT ON CONSTRAINT alerts_identity DO NOTHING
            RETURNING seq
            """;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Pool pool;

    AlertLog(Pool pool) {
        this.pool = pool;
    }

    /** Appends one transition on the caller's transaction; the answer is whether it was new. */
    static Uni<Boolean> append(
            SqlClient transaction,
            String tenant,
            String alertId,
            String status,
            Rule rule,
            String subject,
            Instant windowStart,
            JsonNode details) {
        Tuple values = Tuple.tuple()
                .addString(tenant)
                .addString(alertId)
                .addString(status)
                .addString(rule.id())
                .addInteger(rule.version())
                .addString(rule.name())
                .addString(rule.severity())
                .addString(subject)
                .addOffsetDateTime(windowStart.atOffset(ZoneOffset.UTC))
                .addString(details.toString());
        return transaction.preparedQuery(APPEND).execute(values).chain(rows -> {
            if (rows.rowCount() == 1) {
                return Uni.createFrom().item(true);
            }
            return transaction
                    .preparedQuery("UPDATE alert_streams SET last_seq = last_seq - 1 WHERE tenant = $1")
                    .execute(Tuple.of(tenant))
                    .replaceWith(false);
        });
    }

    /** The tenant's transitions after {@code after}, oldest first. */
    public Uni<List<Alert>> after(String tenant, long after, int limit) {
        return pool.preparedQuery(
                        "SELECT " + COLUMNS + " FROM alerts WHERE tenant = $1 AND seq > $2 ORDER BY seq LIMIT $3")
                .execute(Tuple.of(tenant, after, limit))
                .map(AlertLog::all);
    }

    /** The tenant's latest stream number (0 before its first alert). */
    public Uni<Long> position(String tenant) {
        return pool.preparedQuery("SELECT last_seq FROM alert_streams WHERE tenant = $1")
                .execute(Tuple.of(tenant))
                .map(rows -> rows.rowCount() == 0 ? 0L : rows.iterator().next().getLong(0));
    }

    static List<Alert> all(RowSet<Row> rows) {
        List<Alert> alerts = new ArrayList<>(rows.rowCount());
        rows.forEach(row -> alerts.add(toAlert(row)));
        return alerts;
    }

    private static Alert toAlert(Row row) {
        JsonNode details;
        try {
            details = JSON.readTree(row.getString(11));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("alerts.details is not JSON", e);
        }
        return new Alert(
                row.getString(0),
                row.getLong(1),
                row.getString(2),
                row.getString(3),
                row.getString(4),
                row.getInteger(5),
                row.getString(6),
                row.getString(7),
                row.getString(8),
                row.getOffsetDateTime(9).toInstant(),
                row.getOffsetDateTime(10).toInstant(),
                details);
    }
}
