package io.sluice.alerts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code alerts} table read as each tenant's history. It is appended to inside the sink's
 * transactions (the outbox, by {@link AlertBatch}); stream numbers come from
 * {@code alert_streams}, whose row lock hands them out in commit order and without gaps.
 */
@ApplicationScoped
public class AlertLog {

    static final String COLUMNS = "tenant, seq, alert_id, status, rule_id, rule_version, rule_name, severity,"
            + " subject, window_start, raised_at, details::text";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Pool pool;

    AlertLog(Pool pool) {
        this.pool = pool;
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
