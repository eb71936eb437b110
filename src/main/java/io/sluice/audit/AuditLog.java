package io.sluice.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * What administrators did, in PostgreSQL ({@code audit_log}) and as a log line in the
 * {@code io.sluice.audit} category. Entries name keys by id and never carry a secret.
 */
@ApplicationScoped
public class AuditLog {

    private static final Logger LOG = Logger.getLogger("io.sluice.audit");

    private final Pool pool;
    private final ObjectMapper json;

    AuditLog(Pool pool, ObjectMapper json) {
        this.pool = pool;
        this.json = json;
    }

    /** One admin action: who ({@code actor}, a credential id) did what to which {@code target}, for {@code tenant}. */
    public record Entry(String tenant, String actor, String action, String target, ObjectNode detail) {}

    /** An entry as read back. */
    public record Recorded(
            long id, Instant at, String tenant, String actor, String action, String target, JsonNode detail) {}

    /** Appends {@code entry} through {@code client}: pass a transaction's connection to record it with the change. */
    public Uni<Void> append(SqlClient client, Entry entry) {
        return client.preparedQuery(
                        "INSERT INTO audit_log (tenant, actor, action, target, detail) VALUES ($1, $2, $3, $4, $5::text::jsonb)")
                .execute(Tuple.of(
                        entry.tenant(),
                        entry.actor(),
                        entry.action(),
                        entry.target(),
                        entry.detail().toString()))
                .invoke(() -> LOG.infof(
                        "audit: %s %s %s (tenant %s) %s",
                        entry.actor(), entry.action(), entry.target(), entry.tenant(), entry.detail()))
                .replaceWithVoid();
    }

    public Uni<Void> append(Entry entry) {
        return append(pool, entry);
    }

    /** Entries after {@code afterId}, oldest first; {@code tenant} null means every tenant's. */
    Uni<List<Recorded>> after(String tenant, long afterId, int limit) {
        return pool.preparedQuery("SELECT id, at, tenant, actor, action, target, detail::text FROM audit_log"
                        + " WHERE ($1::text IS NULL OR tenant = $1) AND id > $2 ORDER BY id LIMIT $3")
                .execute(Tuple.of(tenant, afterId, limit))
                .map(rows -> {
                    List<Recorded> entries = new ArrayList<>();
                    for (Row row : rows) {
                        entries.add(new Recorded(
                                row.getLong(0),
                                row.getOffsetDateTime(1).toInstant(),
                                row.getString(2),
                                row.getString(3),
                                row.getString(4),
                                row.getString(5),
                                detail(row.getString(6))));
                    }
                    return entries;
                });
    }

    private JsonNode detail(String text) {
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("audit_log.detail is jsonb, so always JSON", e);
        }
    }
}
