package io.sluice.dlq;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;

/** Reads and marks a tenant's entries of {@code dead_letters}; the sink writes them. */
@ApplicationScoped
public class DeadLetterStore {

    /** Which entries: the tenant's, after an id, optionally by exact source, reason substring and ids. */
    public record Filter(String status, String source, String reason, List<Long> ids) {

        public static final String DEAD = "dead";
        public static final String REDRIVEN = "redriven";
        public static final String ALL = "all";

        static Filter dead(String source, String reason, List<Long> ids) {
            return new Filter(DEAD, source, reason, ids);
        }
    }

    private static final String WHERE = " FROM dead_letters WHERE tenant = $1 AND id > $2"
            + " AND ($3::text IS NULL OR source = $3)"
            + " AND ($4::text IS NULL OR strpos(reason, $4) > 0)"
            + " AND ($5 = 'all' OR ($5 = 'dead') = (redriven_at IS NULL))"
            + " AND ($6::bigint[] IS NULL OR id = ANY($6))"
            + " ORDER BY id LIMIT $7";

    /** A list leaves out the content (headers and value): a page of large records is not read to show their reasons. */
    private static final String LIST = "SELECT id, origin_topic, origin_partition, origin_offset, tenant, source,"
            + " event_id, accepted_at, reason, attempts, record_key, '[]' AS headers, ''::bytea AS value,"
            + " dead_lettered_at, redriven_at, redriven_to"
            + WHERE;

    private static final String LOCK_PAGE = "SELECT " + DeadLetter.COLUMNS + WHERE + " FOR UPDATE SKIP LOCKED";

    private static final String MARK_REDRIVEN = """
            UPDATE dead_letters SET redriven_at = now(), redriven_to = redrive.redriven_to
              FROM unnest($1::bigint[], $2::text[]) AS redrive(id, redriven_to)
             WHERE dead_letters.id = redrive.id
            """;

    private final Pool pool;

    DeadLetterStore(Pool pool) {
        this.pool = pool;
    }

    public Uni<List<DeadLetter>> list(String tenant, Filter filter, long afterId, int limit) {
        return query(pool, LIST, tenant, filter, afterId, limit);
    }

    public Uni<DeadLetter> get(String tenant, long id) {
        return pool.preparedQuery("SELECT " + DeadLetter.COLUMNS + " FROM dead_letters WHERE tenant = $1 AND id = $2")
                .execute(Tuple.of(tenant, id))
                .map(rows -> rows.rowCount() == 0
                        ? null
                        : DeadLetter.of(rows.iterator().next()));
    }

    /** Locks a page of entries still dead (entries another redrive holds are skipped). */
    Uni<List<DeadLetter>> lockPage(SqlConnection connection, String tenant, Filter filter, long afterId, int limit) {
        return query(connection, LOCK_PAGE, tenant, filter, afterId, limit);
    }

    Uni<Void> markRedriven(SqlConnection connection, List<Long> ids, List<String> redrivenTo) {
        if (ids.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return connection
                .preparedQuery(MARK_REDRIVEN)
                .execute(Tuple.of(ids.toArray(Long[]::new), redrivenTo.toArray(String[]::new)))
                .replaceWithVoid();
    }

    private static Uni<List<DeadLetter>> query(
            SqlClient client, String sql, String tenant, Filter filter, long afterId, int limit) {
        Long[] ids = filter.ids() == null ? null : filter.ids().toArray(Long[]::new);
        // Added one by one, not through List.of: the optional parts of a filter are null.
        Tuple args = Tuple.tuple()
                .addValue(tenant)
                .addValue(afterId)
                .addValue(filter.source())
                .addValue(filter.reason())
                .addValue(filter.status())
                .addValue(ids)
                .addValue(limit);
        return client.preparedQuery(sql).execute(args).map(rows -> {
            List<DeadLetter> entries = new ArrayList<>();
            for (Row row : rows) {
                entries.add(DeadLetter.of(row));
            }
            return entries;
        });
    }
}
